# ruff: noqa: RUF001 - Japanese texts use full-width brackets and punctuation, as Japanese is written.
"""The words of the OPC-301 eCRF in English, Spanish and Japanese (the study runs in Spain and Japan).

Questions are keyed by item name, edit-check messages by check OID, so the form and rule modules
hold structure only. Spanish follows the AEMPS usage ("acontecimiento adverso grave"), Japanese the
PMDA/GCP usage (治験薬, 有害事象, 重篤).
"""

from opencro.formats.build import Translated

Texts = tuple[str, str, str]  # English, Spanish, Japanese
LANGUAGES = ("en", "es", "ja")


def translated(texts: Texts) -> Translated:
    return dict(zip(LANGUAGES, texts, strict=True))


QUESTIONS: dict[str, Texts] = {
    # informed consent, eligibility, demographics
    "ICDAT": ("Date informed consent signed", "Fecha de firma del consentimiento informado", "同意書署名日"),
    "ICVER": (
        "Version of the informed consent form signed",
        "Versión del documento de consentimiento informado firmado",
        "署名した同意説明文書の版",
    ),
    "IEYN": (
        "Does the participant meet all eligibility criteria?",
        "¿Cumple el participante todos los criterios de selección?",
        "被験者はすべての適格基準を満たしていますか？",
    ),
    "BRTHDAT": ("Date of birth", "Fecha de nacimiento", "生年月日"),
    "AGE": (
        "Age at informed consent (derived)",
        "Edad en el consentimiento informado (calculada)",
        "同意取得時の年齢（自動計算）",
    ),
    "SEX": ("Sex", "Sexo", "性別"),
    "CHILDPOT": (
        "Is the participant of childbearing potential?",
        "¿Es la participante una mujer en edad fértil?",
        "妊娠可能な女性ですか？",
    ),
    "ETHNIC": ("Ethnicity", "Etnia", "民族"),
    "RACE": (
        "Race (tick all that apply)",
        "Raza (marque todas las que correspondan)",
        "人種（該当するものすべてに印）",
    ),
    # logs share start, ongoing and end
    "MHTERM": ("Medical condition or event", "Enfermedad o acontecimiento médico", "疾患名又は事象名"),
    "STDAT": ("Start date", "Fecha de inicio", "開始日"),
    "ONGO": ("Ongoing?", "¿Continúa?", "継続中ですか？"),
    "ENDAT": ("End date", "Fecha de finalización", "終了日"),
    # vital signs and physical examination
    "SYSBP": ("Systolic blood pressure", "Presión arterial sistólica", "収縮期血圧"),
    "DIABP": ("Diastolic blood pressure", "Presión arterial diastólica", "拡張期血圧"),
    "PULSE": ("Pulse rate", "Frecuencia del pulso", "脈拍数"),
    "TEMP": ("Body temperature", "Temperatura corporal", "体温"),
    "WEIGHT": ("Weight", "Peso", "体重"),
    "HEIGHT": ("Height (screening only)", "Talla (solo en la selección)", "身長（スクリーニング時のみ）"),
    "BMI": ("Body mass index (derived)", "Índice de masa corporal (calculado)", "体格指数（BMI、自動計算）"),
    "PEABN": (
        "Any clinically significant abnormal finding?",
        "¿Algún hallazgo anómalo clínicamente significativo?",
        "臨床的に問題となる異常所見はありますか？",
    ),
    "PEDESC": ("Describe the abnormal findings", "Describa los hallazgos anómalos", "異常所見の内容"),
    "NYHA": ("NYHA functional class", "Clase funcional de la NYHA", "NYHA心機能分類"),
    # ECG and echocardiogram
    "EGHR": ("Ventricular heart rate", "Frecuencia cardíaca ventricular", "心室拍数"),
    "QTCF": ("QTcF interval (Fridericia)", "Intervalo QTcF (Fridericia)", "QTcF間隔（Fridericia補正）"),
    "RHYTHM": ("Rhythm", "Ritmo", "調律"),
    "EGINTP": ("Overall interpretation", "Interpretación global", "総合判定"),
    "ECHODAT": ("Date of echocardiogram", "Fecha del ecocardiograma", "心エコー検査日"),
    "LVEF": ("Left-ventricular ejection fraction", "Fracción de eyección del ventrículo izquierdo", "左室駆出率"),
    # laboratory
    "LBDAT": ("Date of sample collection", "Fecha de obtención de la muestra", "検体採取日"),
    "BNPDAT": ("Date of sample collection", "Fecha de obtención de la muestra", "検体採取日"),
    "HGB": ("Haemoglobin", "Hemoglobina", "ヘモグロビン"),
    "WBC": ("White blood cell count", "Recuento de leucocitos", "白血球数"),
    "PLT": ("Platelet count", "Recuento de plaquetas", "血小板数"),
    "CREAT": ("Creatinine", "Creatinina", "クレアチニン"),
    "EGFR": ("eGFR, CKD-EPI 2021 (derived)", "FGe, CKD-EPI 2021 (calculado)", "eGFR（CKD-EPI 2021式、自動計算）"),
    "K": ("Potassium", "Potasio", "カリウム"),
    "SODIUM": ("Sodium", "Sodio", "ナトリウム"),
    "ALT": (
        "Alanine aminotransferase (ALT)",
        "Alanina aminotransferasa (ALT)",
        "アラニンアミノトランスフェラーゼ（ALT）",
    ),
    "AST": (
        "Aspartate aminotransferase (AST)",
        "Aspartato aminotransferasa (AST)",
        "アスパラギン酸アミノトランスフェラーゼ（AST）",
    ),
    "NTPROBNP": ("NT-proBNP", "NT-proBNP", "NT-proBNP"),
    # health status (KCCQ domains, paraphrased)
    "KCCQ_PL": (
        "Over the past 2 weeks, how much has heart failure limited your ability to walk one block on level ground?",
        "En las últimas 2 semanas, ¿cuánto le ha limitado la insuficiencia cardíaca para caminar una manzana en "
        "terreno llano?",
        "過去2週間に、心不全のために平地を1ブロック歩くことがどの程度制限されましたか？",
    ),
    "KCCQ_SF": (
        "Over the past 2 weeks, how much have swelling, fatigue or shortness of breath limited your daily activities?",
        "En las últimas 2 semanas, ¿cuánto le han limitado la hinchazón, el cansancio o la falta de aire en sus "
        "actividades diarias?",
        "過去2週間に、むくみ、疲労感又は息切れのために日常生活がどの程度制限されましたか？",
    ),
    "KCCQ_SL": (
        "Over the past 2 weeks, how much has heart failure limited your hobbies and social activities?",
        "En las últimas 2 semanas, ¿cuánto ha limitado la insuficiencia cardíaca sus aficiones y actividades sociales?",
        "過去2週間に、心不全のために趣味や社会活動がどの程度制限されましたか？",
    ),
    "KCCQ_QL": (
        "Over the past 2 weeks, how much has heart failure limited your enjoyment of life?",
        "En las últimas 2 semanas, ¿cuánto ha limitado la insuficiencia cardíaca su disfrute de la vida?",
        "過去2週間に、心不全のために生活を楽しむことがどの程度制限されましたか？",
    ),
    "KCCQ_SCORE": (
        "Summary score, 0 (worst) to 100 (best) (derived)",
        "Puntuación resumen, de 0 (peor) a 100 (mejor) (calculada)",
        "サマリースコア（0＝最悪〜100＝最良、自動計算）",
    ),
    # study drug accountability
    "DADSPDAT": (
        "Date the returned bottle was dispensed",
        "Fecha de dispensación del frasco devuelto",
        "返却されたボトルの払出日",
    ),
    "DADSP": ("Tablets dispensed", "Comprimidos dispensados", "払出錠数"),
    "DARETDAT": ("Date of return", "Fecha de devolución", "返却日"),
    "DARET": ("Tablets returned", "Comprimidos devueltos", "返却錠数"),
    "DACOMPL": ("Compliance (derived)", "Cumplimiento (calculado)", "服薬遵守率（自動計算）"),
    # adverse events
    "AETERM": ("Adverse event (verbatim term)", "Acontecimiento adverso (término literal)", "有害事象名（報告用語）"),
    "AESEV": ("Severity", "Intensidad", "重症度"),
    "AESER": ("Serious?", "¿Acontecimiento adverso grave?", "重篤ですか？"),
    "AESCRIT": (
        "Seriousness criteria (tick all that apply)",
        "Criterios de gravedad (marque todos los que correspondan)",
        "重篤性の基準（該当するものすべて）",
    ),
    "AEAWDAT": (
        "Date the site became aware of the serious event",
        "Fecha en que el centro tuvo conocimiento del acontecimiento grave",
        "実施医療機関が重篤な有害事象を知った日",
    ),
    "AEREL": ("Relationship to study drug", "Relación con el fármaco del estudio", "治験薬との因果関係"),
    "AEACN": ("Action taken with study drug", "Medida adoptada con el fármaco del estudio", "治験薬に対する処置"),
    "AEOUT": ("Outcome", "Desenlace", "転帰"),
    # concomitant medications
    "CMTRT": ("Medication (generic name)", "Medicamento (nombre genérico)", "薬剤名（一般名）"),
    "CMINDC": ("Indication", "Indicación", "使用理由"),
    "CMDOSE": ("Dose per administration", "Dosis por administración", "1回投与量"),
    "CMDOSU": ("Dose unit", "Unidad de dosis", "用量単位"),
    "CMDOSFRQ": ("Frequency", "Frecuencia", "投与頻度"),
    "CMROUTE": ("Route", "Vía de administración", "投与経路"),
    # end of study
    "DSDECOD": (
        "Status at end of study participation",
        "Situación al finalizar la participación en el estudio",
        "試験参加終了時の状況",
    ),
    "DSSTDAT": ("Date of completion or discontinuation", "Fecha de finalización o interrupción", "完了日又は中止日"),
    "DSTERM": ("Specify", "Especifique", "詳細"),
}

HELP: dict[str, Texts] = {
    "BRTHDAT": (
        "Give the year, or year and month, where local rules do not allow the full date.",
        "Indique el año, o el año y el mes, si la normativa local no permite la fecha completa.",
        "現地の規則により完全な日付が記録できない場合は、年又は年月を記入してください。",
    ),
    "HEIGHT": (
        "Shown at the visit where consent is recorded; later visits use the screening height.",
        "Se muestra en la visita en la que se registra el consentimiento; las visitas posteriores usan la talla "
        "de la selección.",
        "同意を記録した来院でのみ表示されます。以降の来院ではスクリーニング時の身長を使用します。",
    ),
}

# (kind, number) of data.CRITERIA -> Spanish, Japanese
CRITERIA: dict[tuple[str, int], tuple[str, str]] = {
    ("inclusion", 1): (
        "Consentimiento informado firmado antes de cualquier procedimiento del estudio.",
        "治験手順の実施前に同意書に署名している。",
    ),
    ("inclusion", 2): (
        "Edad entre 18 y 85 años, ambos inclusive, en la selección.",
        "スクリーニング時の年齢が18歳以上85歳以下である。",
    ),
    ("inclusion", 3): (
        "Insuficiencia cardíaca crónica, clase II a IV de la NYHA, desde hace al menos 3 meses.",
        "NYHA心機能分類II〜IV度の慢性心不全が3か月以上持続している。",
    ),
    ("inclusion", 4): (
        "Fracción de eyección del ventrículo izquierdo igual o inferior al 40 % en los últimos 12 meses.",
        "過去12か月以内の左室駆出率が40%以下である。",
    ),
    ("inclusion", 5): (
        "NT-proBNP igual o superior a 600 pg/ml en la selección (900 pg/ml o más con fibrilación auricular).",
        "スクリーニング時のNT-proBNPが600 pg/mL以上（心房細動を有する場合は900 pg/mL以上）である。",
    ),
    ("exclusion", 1): (
        "Filtrado glomerular estimado inferior a 30 ml/min/1,73 m².",
        "推算糸球体濾過量が30 mL/min/1.73 m²未満である。",
    ),
    ("exclusion", 2): (
        "Presión arterial sistólica inferior a 95 mmHg en la selección.",
        "スクリーニング時の収縮期血圧が95 mmHg未満である。",
    ),
    ("exclusion", 3): (
        "Síndrome coronario agudo, ictus o cirugía cardíaca en los últimos 90 días.",
        "90日以内に急性冠症候群、脳卒中又は心臓手術の既往がある。",
    ),
    ("exclusion", 4): ("Embarazo o lactancia.", "妊娠中又は授乳中である。"),
}


def criterion_question(kind: str, number: int, text: str) -> Texts:
    """ "Inclusion criterion 2 met: ..." / "Exclusion criterion 1 applies: ..." in the three languages."""
    es, ja = CRITERIA.get((kind, number), (text, text))
    if kind == "inclusion":
        return (
            f"Inclusion criterion {number} met: {text}",
            f"Se cumple el criterio de inclusión {number}: {es}",
            f"選択基準{number}を満たす：{ja}",
        )
    return (
        f"Exclusion criterion {number} applies: {text}",
        f"Se da el criterio de exclusión {number}: {es}",
        f"除外基準{number}に該当する：{ja}",
    )


def limit_message(kind: str, side: str, amount: str) -> Translated:
    """The message of a range check: Soft asks to confirm, Hard refuses."""
    below = side == "below"
    if kind == "Soft":
        texts = (
            f"{'Below' if below else 'Above'} {amount}: please confirm the value.",
            f"{'Inferior' if below else 'Superior'} a {amount}: confirme el valor.",
            f"{amount}{'未満です' if below else 'を超えています'}。値を確認してください。",
        )
    else:
        texts = (
            f"{'Below' if below else 'Above'} {amount}: not a plausible value.",
            f"{'Inferior' if below else 'Superior'} a {amount}: valor no plausible.",
            f"{amount}{'未満' if below else 'を超える値'}は妥当ではありません。",
        )
    return translated(texts)


NOT_FUTURE: Texts = (
    "The date cannot be in the future.",
    "La fecha no puede ser futura.",
    "未来の日付は入力できません。",
)

DESCRIPTIONS: dict[str, Texts] = {
    "F.KCCQ": (
        "Health-status questions modelled on the KCCQ domains (illustrative; not the licensed instrument).",
        "Preguntas de estado de salud basadas en los dominios del KCCQ (ilustrativas; no es el instrumento con "
        "licencia).",
        "KCCQの領域に基づく健康状態の質問（例示であり、ライセンスされた質問票ではありません）。",
    ),
    "SE.LOGS": (
        "Adverse events, concomitant medications and end of study, recorded as they happen.",
        "Acontecimientos adversos, medicación concomitante y fin del estudio, registrados cuando ocurren.",
        "有害事象、併用薬及び試験終了を、発生時に記録します。",
    ),
}

CHECK_MESSAGES: dict[str, Texts] = {
    "EC.VS.DBP_SBP": (
        "Diastolic blood pressure is not below systolic: check for transposed values.",
        "La presión diastólica no es inferior a la sistólica: compruebe si los valores están invertidos.",
        "拡張期血圧が収縮期血圧以上です。値の入れ違いがないか確認してください。",
    ),
    "EC.VS.WEIGHT_CHANGE": (
        "Weight differs by more than 10% from screening: confirm the value and assess fluid status.",
        "El peso difiere más de un 10 % del de la selección: confirme el valor y valore la volemia.",
        "体重がスクリーニング時から10%を超えて変化しています。値を確認し、体液貯留を評価してください。",
    ),
    "EC.DM.AGE": (
        "Age at consent is outside 18-85 years (inclusion criterion 2).",
        "La edad en el consentimiento está fuera de 18-85 años (criterio de inclusión 2).",
        "同意取得時の年齢が18〜85歳の範囲外です（選択基準2）。",
    ),
    "EC.IE.ELIGIBLE": (
        "The participant is recorded as eligible, but an inclusion criterion is not met or an exclusion criterion "
        "applies.",
        "El participante consta como elegible, pero no se cumple un criterio de inclusión o se da uno de exclusión.",
        "適格と記録されていますが、満たされていない選択基準又は該当する除外基準があります。",
    ),
    "EC.IE.NOT_ELIGIBLE": (
        "All criteria are met, but the participant is recorded as not eligible.",
        "Se cumplen todos los criterios, pero el participante consta como no elegible.",
        "すべての基準を満たしていますが、不適格と記録されています。",
    ),
    "EC.IE.LVEF": (
        "Inclusion criterion 4 is marked as met, but the screening LVEF is above 40%.",
        "El criterio de inclusión 4 consta como cumplido, pero la FEVI de la selección es superior al 40 %.",
        "選択基準4を満たすとされていますが、スクリーニング時の左室駆出率が40%を超えています。",
    ),
    "EC.IE.NTPROBNP": (
        "Inclusion criterion 5 is marked as met, but the screening NT-proBNP is below the threshold (600 pg/mL; "
        "900 pg/mL with atrial fibrillation).",
        "El criterio de inclusión 5 consta como cumplido, pero el NT-proBNP de la selección está por debajo del "
        "umbral (600 pg/ml; 900 pg/ml con fibrilación auricular).",
        "選択基準5を満たすとされていますが、スクリーニング時のNT-proBNPが基準値（600 pg/mL、心房細動では900 pg/mL）"
        "未満です。",
    ),
    "EC.IE.EGFR": (
        "Exclusion criterion 1 is marked as not applying, but the screening eGFR is below 30.",
        "El criterio de exclusión 1 consta como no aplicable, pero el FGe de la selección es inferior a 30.",
        "除外基準1に該当しないとされていますが、スクリーニング時のeGFRが30未満です。",
    ),
    "EC.IE.SBP": (
        "Exclusion criterion 2 is marked as not applying, but the screening systolic pressure is below 95 mmHg.",
        "El criterio de exclusión 2 consta como no aplicable, pero la presión sistólica de la selección es inferior "
        "a 95 mmHg.",
        "除外基準2に該当しないとされていますが、スクリーニング時の収縮期血圧が95 mmHg未満です。",
    ),
    "EC.EG.QTCF": (
        "QTcF above 500 ms: confirm the reading, inform the investigator and follow the protocol's QT stopping rule.",
        "QTcF superior a 500 ms: confirme la lectura, informe al investigador y aplique la regla de interrupción por "
        "QT del protocolo.",
        "QTcFが500 msを超えています。測定値を確認し、治験責任医師に報告のうえ、治験実施計画書のQT中止基準に従って"
        "ください。",
    ),
    "EC.LB.POTASSIUM": (
        "Potassium outside 3.0-5.5 mmol/L: confirm the value and record an adverse event if clinically significant.",
        "Potasio fuera de 3,0-5,5 mmol/l: confirme el valor y registre un acontecimiento adverso si es clínicamente "
        "significativo.",
        "カリウムが3.0〜5.5 mmol/Lの範囲外です。値を確認し、臨床的に問題があれば有害事象として記録してください。",
    ),
    "EC.LB.LIVER": (
        "ALT or AST above 3x the upper limit of normal (40 U/L): repeat the test and check bilirubin (Hy's law).",
        "ALT o AST superior a 3 veces el límite superior de la normalidad (40 U/l): repita la prueba y compruebe la "
        "bilirrubina (ley de Hy).",
        "ALT又はASTが基準値上限（40 U/L）の3倍を超えています。再検査し、ビリルビンを確認してください（Hy's law）。",
    ),
    "EC.LB.PRECONSENT": (
        "The sample date is before the informed consent date: no study procedure may precede consent.",
        "La fecha de la muestra es anterior al consentimiento informado: ningún procedimiento puede precederlo.",
        "検体採取日が同意取得日より前です。同意取得前に治験手順を実施することはできません。",
    ),
    "EC.AE.DATES": (
        "The end date is before the start date.",
        "La fecha de finalización es anterior a la de inicio.",
        "終了日が開始日より前です。",
    ),
    "EC.AE.END_MISSING": (
        "The event is not ongoing: enter its end date.",
        "El acontecimiento no continúa: indique la fecha de finalización.",
        "継続中ではないため、終了日を入力してください。",
    ),
    "EC.AE.SAE_OUTCOME": (
        "Serious adverse event without an outcome: enter the outcome or the latest follow-up status.",
        "Acontecimiento adverso grave sin desenlace: indique el desenlace o el último seguimiento.",
        "重篤な有害事象の転帰が未入力です。転帰又は最新の追跡状況を入力してください。",
    ),
    "EC.AE.FATAL": (
        "A fatal adverse event is serious by definition: check 'Serious?'.",
        "Un acontecimiento adverso mortal es grave por definición: revise «¿Acontecimiento adverso grave?».",
        "死亡に至った有害事象は定義上重篤です。「重篤ですか？」を確認してください。",
    ),
    "EC.AE.PRECONSENT": (
        "The event started before informed consent: record it as medical history instead.",
        "El acontecimiento comenzó antes del consentimiento informado: regístrelo como antecedente médico.",
        "同意取得前に発現した事象です。既往歴として記録してください。",
    ),
    "EC.CM.DATES": (
        "The end date is before the start date.",
        "La fecha de finalización es anterior a la de inicio.",
        "終了日が開始日より前です。",
    ),
    "EC.DA.RETURNED": (
        "More tablets returned than dispensed.",
        "Se han devuelto más comprimidos de los dispensados.",
        "返却錠数が払出錠数を上回っています。",
    ),
    "EC.DA.COMPLIANCE": (
        "Compliance outside 80-120%: record the reason (missed doses, lost tablets) in the source.",
        "Cumplimiento fuera del 80-120 %: documente el motivo (dosis olvidadas, comprimidos perdidos).",
        "服薬遵守率が80〜120%の範囲外です。理由（飲み忘れ、紛失など）を原資料に記録してください。",
    ),
}
