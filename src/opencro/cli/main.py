"""Entry point of the `opencro` console script: one typer app, a module per command group."""

import typer

from opencro.cli import (
    analysis,
    audit,
    closeout,
    coding,
    design,
    edc,
    followup,
    jobs,
    monitor,
    partners,
    payments,
    recruit,
    registry,
    regulatory,
    report,
    rtsm,
    safety,
    server,
    sites,
    tmf,
    tokens,
    users,
)

app = typer.Typer(
    help="OpenCRO: run clinical trials end to end.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.command("migrate", help="Create or upgrade the database tables.")(server.migrate)
app.command("serve", help="Serve OpenCRO with gunicorn (a production WSGI server).")(server.serve)
app.command("demo", help="Migrate, load the demo study OPC-301 and serve it.")(server.demo)
app.command("createuser", help="Create a user (prompts for the password).")(users.createuser)
app.add_typer(tokens.app, name="token", help="Create, list and revoke API tokens.")
app.add_typer(audit.app, name="audit", help="Check the audit trail.")
app.add_typer(edc.app, name="edc", help="Electronic data capture: study builds, ODM import/export, checks.")
app.add_typer(coding.app, name="coding", help="Medical coding: load MedDRA and WHODrug releases.")
app.add_typer(design.app, name="design", help="Protocol design: sample size, group-sequential, dose escalation.")
app.add_typer(recruit.app, name="recruit", help="Enrolment forecasting: the Poisson-gamma recruitment model.")
app.add_typer(rtsm.app, name="rtsm", help="Randomisation: generate and check permuted-block lists.")
app.add_typer(safety.app, name="safety", help="Safety: signal detection on report databases (PRR, ROR, BCPNN, MGPS).")
app.add_typer(sites.app, name="sites", help="Site registry: import ClinicalTrials.gov history, score feasibility.")
app.add_typer(followup.app, name="followup", help="Participant follow-up: daily visit reminders.")
app.add_typer(monitor.app, name="monitor", help="Monitoring: detect protocol deviations.")
app.add_typer(
    analysis.app, name="analysis", help="Submission data and TFLs: run output specifications, build packages."
)
app.add_typer(regulatory.app, name="regulatory", help="Regulatory affairs: build and validate eCTD sequences.")
app.add_typer(
    registry.app,
    name="registry",
    help="Registry disclosure: export ClinicalTrials.gov and EU CTR registrations, show what changed.",
)
app.add_typer(
    partners.app, name="partners", help="Sponsors and CROs: organisations, study owners, work order duties and budgets."
)
app.add_typer(
    payments.app,
    name="payments",
    help="Site payments: what sites have earned, payment runs, the accounts-payable file.",
)
app.add_typer(
    report.app,
    name="report",
    help="Status reports and KPIs of a study's work order, generated from its data; scheduled reports.",
)
app.add_typer(
    closeout.app, name="closeout", help="Study close-out: the checklist of steps, their gates and signatures."
)
app.add_typer(tmf.app, name="tmf", help="Trial master file: load the Reference Model, export for inspection.")
app.add_typer(jobs.app, name="jobs", help="Start background jobs and follow their progress.")
app.command("worker", help="Run a Celery worker for background jobs (needs OPENCRO_BROKER_URL).")(jobs.worker)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
