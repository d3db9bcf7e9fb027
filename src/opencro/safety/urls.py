"""Safety pages under /studies/<id>/safety/: each views module lists its own routes."""

from opencro.safety.views import cases, e2b, edit, oversight, setup, signal_runs, signals, unblinding

app_name = "safety"
urlpatterns = [
    *cases.urls,
    *edit.urls,
    *setup.urls,
    *e2b.urls,
    *oversight.urls,
    *unblinding.urls,
    *signals.urls,
    *signal_runs.urls,
]
