"""Small ODM 1.3.2 documents written for the tests, and helpers to locate lines in them."""

ODM_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" xmlns:opencro="https://opencro.org/ns/odm/v1"\n'
    '     xmlns:acme="urn:acme:edc" xmlns:redcap="https://projectredcap.org"\n'
    '     FileOID="F.1" FileType="Snapshot" Granularity="Metadata" CreationDateTime="2025-01-01T00:00:00"\n'
    '     ODMVersion="{version}">\n'
)

GLOBALS = """<GlobalVariables>
  <StudyName>Demo study</StudyName>
  <StudyDescription>  A demo.  </StudyDescription>
  <ProtocolName>DEMO-1</ProtocolName>
</GlobalVariables>
"""

FULL_MDV = """<BasicDefinitions>
  <MeasurementUnit OID="MU.KG" Name="kilogram">
    <Symbol><TranslatedText xml:lang="en">kg</TranslatedText></Symbol>
  </MeasurementUnit>
</BasicDefinitions>
<MetaDataVersion OID="MDV.1" Name="Version 1" Description="First version">
  <Protocol>
    <StudyEventRef StudyEventOID="SE.SCREEN" OrderNumber="1" Mandatory="Yes"/>
    <StudyEventRef StudyEventOID="SE.AE" OrderNumber="2" Mandatory="No"/>
  </Protocol>
  <StudyEventDef OID="SE.SCREEN" Name="Screening" Repeating="No" Type="Scheduled" Category="Visit">
    <Description><TranslatedText xml:lang="en">Day -14 to day -1</TranslatedText></Description>
    <FormRef FormOID="F.VS" Mandatory="Yes" OrderNumber="1" CollectionExceptionConditionOID="CD.FEMALE"/>
  </StudyEventDef>
  <StudyEventDef OID="SE.AE" Name="Adverse events" Repeating="Yes" Type="Common">
    <FormRef FormOID="F.VS" Mandatory="No"/>
  </StudyEventDef>
  <FormDef OID="F.VS" Name="Vital signs" Repeating="No">
    <Description><TranslatedText xml:lang="en">Vitals</TranslatedText></Description>
    <ItemGroupRef ItemGroupOID="IG.VS" Mandatory="Yes" OrderNumber="1"/>
  </FormDef>
  <ItemGroupDef OID="IG.VS" Name="VS" Repeating="Yes" Domain="VS" SASDatasetName="VS">
    <Description><TranslatedText xml:lang="en">Measurements</TranslatedText></Description>
    <ItemRef ItemOID="IT.WEIGHT" Mandatory="Yes" OrderNumber="1" KeySequence="1" Role="Result Qualifier"/>
    <ItemRef ItemOID="IT.SEX" Mandatory="No" OrderNumber="2" MethodOID="MT.SEX"
             CollectionExceptionConditionOID="CD.FEMALE"/>
    <Alias Context="SDTM" Name="VS"/>
  </ItemGroupDef>
  <ItemDef OID="IT.WEIGHT" Name="WEIGHT" DataType="float" Length="5" SignificantDigits="1" SDSVarName="VSORRES"
           Origin="CRF">
    <Description><TranslatedText xml:lang="en">Body weight</TranslatedText></Description>
    <Question>
      <TranslatedText xml:lang="en">Weight</TranslatedText>
      <TranslatedText xml:lang="fr">Poids</TranslatedText>
    </Question>
    <MeasurementUnitRef MeasurementUnitOID="MU.KG"/>
    <RangeCheck Comparator="GE" SoftHard="Hard">
      <CheckValue>20</CheckValue>
      <ErrorMessage><TranslatedText xml:lang="en">Too light</TranslatedText></ErrorMessage>
    </RangeCheck>
    <Alias Context="CDASH" Name="VSORRES"/>
  </ItemDef>
  <ItemDef OID="IT.SEX" Name="SEX" DataType="text" Length="1">
    <Question><TranslatedText xml:lang="en">Sex</TranslatedText></Question>
    <CodeListRef CodeListOID="CL.SEX"/>
  </ItemDef>
  <CodeList OID="CL.SEX" Name="Sex" DataType="text">
    <CodeListItem CodedValue="F" OrderNumber="1">
      <Decode><TranslatedText xml:lang="en">Female</TranslatedText></Decode>
    </CodeListItem>
    <CodeListItem CodedValue="M" OrderNumber="2">
      <Decode><TranslatedText xml:lang="en">Male</TranslatedText></Decode>
    </CodeListItem>
  </CodeList>
  <CodeList OID="CL.UNITS" Name="Units" DataType="text">
    <EnumeratedItem CodedValue="kg" OrderNumber="1"/>
    <EnumeratedItem CodedValue="lb"/>
  </CodeList>
  <CodeList OID="CL.MEDDRA" Name="MedDRA" DataType="text">
    <ExternalCodeList Dictionary="MedDRA" Version="27.0"/>
  </CodeList>
  <ConditionDef OID="CD.FEMALE" Name="Female">
    <Description><TranslatedText xml:lang="en">Asked of women only</TranslatedText></Description>
    <FormalExpression Context="OpenCRO">[sex] = 'F'</FormalExpression>
  </ConditionDef>
  <MethodDef OID="MT.SEX" Name="Copy sex" Type="Imputation">
    <Description><TranslatedText xml:lang="en">From DM</TranslatedText></Description>
    <FormalExpression Context="XPath">../SEX</FormalExpression>
  </MethodDef>
</MetaDataVersion>
"""


def odm(body: str, *, version: str = "1.3.2", study_oid: str = "ST.1") -> bytes:
    """An ODM document around `body` (the content of one Study after GlobalVariables)."""
    return (
        ODM_HEAD.format(version=version) + f'<Study OID="{study_oid}">\n' + GLOBALS + body + "</Study>\n</ODM>\n"
    ).encode()


def mdv(defs: str, *, oid: str = "MDV.1", attrs: str = "") -> str:
    """A MetaDataVersion holding `defs`."""
    return f'<MetaDataVersion OID="{oid}" Name="V1"{attrs}>\n{defs}</MetaDataVersion>\n'


def line_of(document: bytes, needle: str, nth: int = 1) -> int:
    """1-based line of the `nth` occurrence of `needle` in `document`."""
    lines = [i for i, line in enumerate(document.decode().splitlines(), start=1) if needle in line]
    return lines[nth - 1]
