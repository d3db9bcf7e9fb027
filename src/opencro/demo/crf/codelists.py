# ruff: noqa: RUF001 - Japanese texts use full-width brackets and punctuation, as Japanese is written.
"""The OPC-301 code lists, coded with CDISC Controlled Terminology submission values where one exists.

References: CDISC Controlled Terminology for CDASH/SDTM (NY C66742, SEX C66731, ETHNIC C66790,
RACE C74457, AESEV C66769, ACN C66767, OUT C66768, ROUTE C66729, NCOMPLT C66727).
Race is a checkbox, so its codes are short numbers (a checkbox value joins codes with ",").
"""

from opencro.demo.crf.texts import translated
from opencro.formats import build as b


def _codes(oid: str, name: str, *choices: tuple[str, str, str, str], data_type: str = "text") -> b.CodeList:
    """A code list from (coded value, English, Spanish, Japanese) rows."""
    return b.CodeList(
        oid,
        name,
        data_type=data_type,
        items=[b.CodeListItem(code, translated((en, es, ja)), n) for n, (code, en, es, ja) in enumerate(choices, 1)],
    )


def code_lists() -> list[b.CodeList]:
    return [
        _codes("CL.NY", "No Yes Response (NY)", ("Y", "Yes", "Sí", "はい"), ("N", "No", "No", "いいえ")),
        _codes("CL.SEX", "Sex (SEX)", ("F", "Female", "Mujer", "女性"), ("M", "Male", "Hombre", "男性")),
        _codes(
            "CL.ETHNIC",
            "Ethnic Group (ETHNIC)",
            ("HISPANIC OR LATINO", "Hispanic or Latino", "Hispano o latino", "ヒスパニック又はラテン系"),
            (
                "NOT HISPANIC OR LATINO",
                "Not Hispanic or Latino",
                "No hispano ni latino",
                "ヒスパニック又はラテン系ではない",
            ),
            ("NOT REPORTED", "Not reported", "No comunicado", "報告なし"),
            ("UNKNOWN", "Unknown", "Desconocido", "不明"),
        ),
        _codes(
            "CL.RACE",
            "Race (RACE)",
            (
                "1",
                "American Indian or Alaska Native",
                "Indígena americano o nativo de Alaska",
                "アメリカ先住民又はアラスカ先住民",
            ),
            ("2", "Asian", "Asiático", "アジア人"),
            ("3", "Black or African American", "Negro o afroamericano", "黒人又はアフリカ系アメリカ人"),
            (
                "4",
                "Native Hawaiian or Other Pacific Islander",
                "Nativo de Hawái u otras islas del Pacífico",
                "ハワイ先住民又はその他の太平洋諸島民",
            ),
            ("5", "White", "Blanco", "白人"),
            ("6", "Not reported", "No comunicado", "報告なし"),
        ),
        _codes(
            "CL.ICFVER",
            "Informed consent form version",
            ("1.0", "Version 1.0", "Versión 1.0", "第1.0版"),
            ("2.0", "Version 2.0", "Versión 2.0", "第2.0版"),
        ),
        _codes(
            "CL.NYHA",
            "NYHA functional class",
            ("1", "Class I (no limitation)", "Clase I (sin limitación)", "I度（身体活動の制限なし）"),
            ("2", "Class II (slight limitation)", "Clase II (limitación leve)", "II度（身体活動の軽度制限）"),
            ("3", "Class III (marked limitation)", "Clase III (limitación marcada)", "III度（身体活動の高度制限）"),
            ("4", "Class IV (symptoms at rest)", "Clase IV (síntomas en reposo)", "IV度（安静時にも症状）"),
            data_type="integer",
        ),
        _codes(
            "CL.RHYTHM",
            "ECG rhythm",
            ("SINUS", "Sinus rhythm", "Ritmo sinusal", "洞調律"),
            ("AF", "Atrial fibrillation or flutter", "Fibrilación o flúter auricular", "心房細動又は心房粗動"),
            ("PACED", "Paced rhythm", "Ritmo de marcapasos", "ペーシング調律"),
            ("OTHER", "Other", "Otro", "その他"),
        ),
        _codes(
            "CL.EGINTP",
            "ECG interpretation",
            ("N", "Normal", "Normal", "正常"),
            (
                "ANCS",
                "Abnormal, not clinically significant",
                "Anómalo, no clínicamente significativo",
                "異常（臨床的に問題なし）",
            ),
            (
                "ACS",
                "Abnormal, clinically significant",
                "Anómalo, clínicamente significativo",
                "異常（臨床的に問題あり）",
            ),
        ),
        _codes(
            "CL.LIMIT",
            "Limitation (5-point scale)",
            ("1", "Extremely limited", "Extremadamente limitado", "非常に制限された"),
            ("2", "Quite a bit limited", "Bastante limitado", "かなり制限された"),
            ("3", "Moderately limited", "Moderadamente limitado", "中程度に制限された"),
            ("4", "Slightly limited", "Ligeramente limitado", "少し制限された"),
            ("5", "Not limited at all", "Nada limitado", "全く制限されていない"),
            data_type="integer",
        ),
        _codes(
            "CL.AESEV",
            "Severity/Intensity Scale for Adverse Events (AESEV)",
            ("MILD", "Mild", "Leve", "軽度"),
            ("MODERATE", "Moderate", "Moderada", "中等度"),
            ("SEVERE", "Severe", "Grave", "高度"),
        ),
        _codes(
            "CL.AESCRIT",
            "Seriousness criteria",
            ("DTH", "Resulted in death", "Causó la muerte", "死亡"),
            ("LIFE", "Life-threatening", "Potencialmente mortal", "生命を脅かす"),
            (
                "HOSP",
                "Required or prolonged hospitalisation",
                "Requirió hospitalización o la prolongó",
                "入院又は入院期間の延長",
            ),
            (
                "DISAB",
                "Persistent or significant disability",
                "Discapacidad persistente o significativa",
                "永続的又は顕著な障害",
            ),
            ("CONG", "Congenital anomaly", "Anomalía congénita", "先天異常"),
            (
                "MIE",
                "Other medically important event",
                "Otro acontecimiento médicamente importante",
                "その他の医学的に重要な事象",
            ),
        ),
        _codes(
            "CL.AEREL",
            "Relationship to study drug",
            ("NOT RELATED", "Not related", "No relacionado", "関連なし"),
            ("UNLIKELY RELATED", "Unlikely related", "Relación improbable", "関連の可能性は低い"),
            ("POSSIBLY RELATED", "Possibly related", "Posiblemente relacionado", "関連の可能性あり"),
            ("RELATED", "Related", "Relacionado", "関連あり"),
        ),
        _codes(
            "CL.ACN",
            "Action Taken with Study Treatment (ACN)",
            ("DOSE NOT CHANGED", "Dose not changed", "Dosis sin cambios", "用量変更なし"),
            ("DRUG INTERRUPTED", "Drug interrupted", "Tratamiento interrumpido", "休薬"),
            ("DRUG WITHDRAWN", "Drug withdrawn", "Tratamiento retirado", "投与中止"),
            ("NOT APPLICABLE", "Not applicable", "No aplicable", "該当なし"),
        ),
        _codes(
            "CL.OUT",
            "Outcome of Event (OUT)",
            ("RECOVERED/RESOLVED", "Recovered/resolved", "Recuperado/resuelto", "回復"),
            ("RECOVERING/RESOLVING", "Recovering/resolving", "En recuperación", "軽快"),
            ("NOT RECOVERED/NOT RESOLVED", "Not recovered/not resolved", "No recuperado/no resuelto", "未回復"),
            (
                "RECOVERED/RESOLVED WITH SEQUELAE",
                "Recovered/resolved with sequelae",
                "Recuperado con secuelas",
                "後遺症を伴う回復",
            ),
            ("FATAL", "Fatal", "Mortal", "死亡"),
            ("UNKNOWN", "Unknown", "Desconocido", "不明"),
        ),
        _codes(
            "CL.UNIT",
            "Dose unit",
            ("mg", "mg", "mg", "mg"),
            ("ug", "µg", "µg", "µg"),
            ("g", "g", "g", "g"),
            ("mL", "mL", "ml", "mL"),
            ("IU", "IU", "UI", "単位"),
            ("TABLET", "tablet", "comprimido", "錠"),
        ),
        _codes(
            "CL.FREQ",
            "Dosing frequency",
            ("QD", "Once daily", "Una vez al día", "1日1回"),
            ("BID", "Twice daily", "Dos veces al día", "1日2回"),
            ("TID", "Three times daily", "Tres veces al día", "1日3回"),
            ("PRN", "As needed", "A demanda", "頓用"),
        ),
        _codes(
            "CL.ROUTE",
            "Route of Administration (ROUTE)",
            ("ORAL", "Oral", "Oral", "経口"),
            ("INTRAVENOUS", "Intravenous", "Intravenosa", "静脈内"),
            ("SUBCUTANEOUS", "Subcutaneous", "Subcutánea", "皮下"),
            ("RESPIRATORY (INHALATION)", "Inhalation", "Inhalatoria", "吸入"),
        ),
        _codes(
            "CL.DSDECOD",
            "Completion/Reason for Non-Completion (NCOMPLT)",
            ("COMPLETED", "Completed", "Completado", "完了"),
            ("SCREEN FAILURE", "Screen failure", "Fallo de selección", "スクリーニング脱落"),
            ("ADVERSE EVENT", "Adverse event", "Acontecimiento adverso", "有害事象"),
            (
                "WITHDRAWAL BY SUBJECT",
                "Withdrawal by participant",
                "Retirada por decisión del participante",
                "被験者による同意撤回",
            ),
            ("LOST TO FOLLOW-UP", "Lost to follow-up", "Pérdida de seguimiento", "追跡不能"),
            ("DEATH", "Death", "Muerte", "死亡"),
            ("PHYSICIAN DECISION", "Physician decision", "Decisión del médico", "医師の判断"),
            ("OTHER", "Other", "Otro", "その他"),
        ),
    ]


# -- items -------------------------------------------------------------------------------------
