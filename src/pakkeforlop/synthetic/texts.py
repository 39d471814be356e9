"""Fictional clinical content for synthetic exports: texts, diagnoses, drugs and substances.

Everything here is invented for test data and describes no real person. Texts are grouped by
the kind of pathway they fit (adult mental health, children and young people, substance use,
…); a document draws one variant per item, so documents vary in content and length the way
real ones do. Nothing here is random: the caller's seeded generator chooses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: The text group of each pathway type.
GROUP: Final = {
    "D01": "tsb",
    "D06": "psychosis",
    "D07": "ocd",
    "D08": "eating",
    "D09": "pregnant",
    "D10": "newborn",
    "D11": "adult",
    "D12": "child",
}

#: Groups whose patients are children or young people (parents take part, school matters).
CHILD_GROUPS: Final = frozenset({"child", "eating", "newborn"})


@dataclass(frozen=True, slots=True)
class Drug:
    """One medication-list entry template."""

    name: str
    atc: str
    dosage: str
    use: str  # kodeverk 9101: 1 fast, 2 kur, 3 ved behov, 5 næringsmiddel/vitaminer
    psychotropic: bool


@dataclass(frozen=True, slots=True)
class Substance:
    """One substance of a TSB referral, with every detail REFERRAL-022 asks for."""

    substance: str
    amount: str
    frequency: str
    route: str
    duration: str
    recent_changes: str


# -- referral content ----------------------------------------------------------------------------

REASON: Final[dict[str, tuple[str, ...]]] = {
    "adult": (
        "Tilbakevendende depresjon med forverring siste måneder uten tilstrekkelig effekt av "
        "behandling hos fastlege. Henvises for utredning og behandling i DPS.",
        "Angst med panikkanfall og økende unngåelse som hindrer arbeid. Ønsker vurdering og "
        "behandling i spesialisthelsetjenesten.",
        "Langvarige søvnvansker, nedstemthet og konsentrasjonsvansker etter belastende "
        "hendelser. Spørsmål om traumelidelse; henvises for utredning.",
        "Svingende stemningsleie med perioder med høyt aktivitetsnivå og lite søvn. Spørsmål "
        "om bipolar lidelse, ønsker diagnostisk avklaring og behandlingsforslag.",
    ),
    "child": (
        "Uro, konsentrasjonsvansker og konflikter på skolen over tid. Foreldre og skole ber om "
        "utredning i BUP.",
        "Tiltakende tristhet, tilbaketrekning og skolefravær det siste halvåret. Henvises for "
        "vurdering og behandling.",
        "Uttalt engstelse med vansker med å skille seg fra foreldrene og økende skolevegring. "
        "Ønsker utredning og råd om tiltak.",
    ),
    "tsb": (
        "Alkoholavhengighet med økende forbruk og sosiale følger. Pasienten ønsker hjelp til å "
        "slutte og henvises til tverrfaglig spesialisert rusbehandling.",
        "Daglig bruk av cannabis og periodevis amfetamin, med tap av arbeid og økonomiske "
        "problemer. Ber om vurdering for behandling i TSB.",
        "Avhengighet av vanedannende legemidler etter langvarig smertebehandling. Ønsker "
        "nedtrapping og behandling i TSB.",
    ),
    "psychosis": (
        "Nyoppståtte hørselshallusinasjoner, mistenksomhet og tilbaketrekning siste uker. "
        "Mistanke om psykoseutvikling; henvises for rask vurdering.",
        "Endret atferd med forfølgelsesforestillinger og sviktende funksjon på skole og jobb. "
        "Ønsker utredning for psykoselidelse.",
    ),
    "ocd": (
        "Omfattende tvangstanker og kontrollritualer som tar flere timer daglig. Henvises for "
        "utredning og eksponeringsbehandling for tvangslidelse.",
        "Vasketvang og unngåelse som begrenser hverdagen sterkt. Ber om vurdering i OCD-teamet.",
    ),
    "eating": (
        "Betydelig vekttap siste måneder med restriktivt spisemønster og overdreven trening. "
        "Mistanke om spiseforstyrrelse; henvises for utredning i BUP.",
        "Overspising og kompensatorisk oppkast flere ganger i uken. Henvises for vurdering og "
        "behandling av spiseforstyrrelse.",
    ),
    "pregnant": (
        "Gravid i uke 10-14 med pågående rusmiddelbruk. Henvises til oppfølging i pakkeforløp "
        "for gravide som bruker rusmidler.",
        "Gravid med tidligere rusmiddelavhengighet og nylig tilbakefall. Ønsker tett oppfølging "
        "gjennom svangerskapet.",
    ),
    "newborn": (
        "Nyfødt barn av mor i pakkeforløp for gravide som bruker rusmidler. Henvises for "
        "oppfølging av barnet og samspillet.",
        "Nyfødt med abstinenssymptomer etter eksponering for rusmidler i svangerskapet. Ber om "
        "videre oppfølging i familieambulatoriet.",
    ),
}

PATIENT_VIEW: Final[dict[str, tuple[str, ...]]] = {
    "adult": (
        "Pasienten opplever å ha mistet kreftene og ønsker hjelp til å komme tilbake i arbeid. "
        "Åpen for samtalebehandling og vurdering av medisiner.",
        "Pasienten beskriver situasjonen som uholdbar og ønsker å forstå hva som skjer, og å "
        "lære å mestre symptomene.",
        "Pasienten er motivert for behandling og ønsker særlig hjelp med søvn og bekymringer.",
    ),
    "child": (
        "Barnet sier at det er slitsomt på skolen. Foreldrene ønsker hjelp til å forstå barnet "
        "og råd om hvordan de best kan støtte.",
        "Ungdommen ønsker selv å få det bedre og vil helst ha samtaler uten foreldrene til "
        "stede hver gang. Foreldrene støtter henvisningen.",
    ),
    "newborn": (
        "Mor og far ønsker hjelp og veiledning i omsorgen for barnet og er positive til "
        "oppfølging.",
    ),
}

TRIGGERS: Final = (
    "Langvarig belastning i familien og omorganisering på arbeidsplassen.",
    "Samlivsbrudd i fjor høst og økonomiske bekymringer etter tap av arbeid.",
    "Dødsfall i nær familie og lite sosialt nettverk etter flytting.",
    "Mobbing på skolen over tid og konflikter i vennegjengen.",
    "Ingen tydelige utløsende hendelser er kjent.",
)

PREVIOUS_TREATMENT: Final[dict[str, tuple[str, ...]]] = {
    "adult": (
        "Samtaler med psykiatrisk sykepleier i kommunen og to forsøk med antidepressiva uten "
        "tilstrekkelig effekt.",
        "Kortvarig kognitiv terapi for flere år siden med god effekt den gang.",
        "Ingen tidligere behandling i spesialisthelsetjenesten. Oppfulgt av fastlege.",
    ),
    "child": (
        "Oppfølging hos helsesykepleier og skolens PP-tjeneste uten vesentlig bedring.",
        "Ingen tidligere behandling. Familien har hatt veiledning i kommunens familietjeneste.",
    ),
    "tsb": (
        "Poliklinisk oppfølging i TSB for tre år siden med en periode med avhold. Avrusning "
        "to ganger tidligere.",
        "Ingen tidligere rusbehandling. Samtaler med ruskonsulent i kommunen siste halvår.",
    ),
    "psychosis": (
        "Ingen tidligere behandling for psykiske lidelser.",
        "Samtaler med skolehelsetjenesten for angst for to år siden.",
    ),
    "ocd": (
        "Sertralin i et halvt år med noe effekt. Ingen eksponeringsbehandling tidligere.",
        "Samtaler i kommunal psykisk helsetjeneste uten effekt på ritualene.",
    ),
    "eating": (
        "Veiing og kostholdsveiledning hos helsesykepleier. Ingen tidligere behandling i BUP.",
    ),
    "pregnant": (
        "Behandlet i TSB for fire år siden. Legemiddelassistert rehabilitering er ikke aktuelt.",
        "Ingen tidligere behandling, kontakt med NAV og ruskonsulent i kommunen.",
    ),
    "newborn": ("Ingen. Mor følges i pakkeforløp for gravide som bruker rusmidler.",),
}

SYMPTOMS: Final[dict[str, tuple[str, ...]]] = {
    "adult": (
        "Senket stemningsleie, interesseløshet og tidlig oppvåkning. PHQ-9 19. Sykmeldt 50 %.",
        "Hyppige panikkanfall, uttalt bekymring og muskelspenninger. GAD-7 16. Klarer jobb "
        "med store anstrengelser.",
        "Mareritt, gjenopplevelser og økt vaktsomhet. Sover 4-5 timer per natt. Fungerer "
        "hjemme med hjelp fra partner.",
    ),
    "child": (
        "Uro og impulsivitet i klasserommet, vansker med å følge beskjeder. Fungerer bedre "
        "hjemme enn på skolen.",
        "Nedstemthet, irritabilitet og søvnvansker. Har trukket seg fra fritidsaktiviteter.",
    ),
    "tsb": (
        "Abstinenssymptomer om morgenen, skjelving og uro. Klarer ikke å holde avtaler. AUDIT 28.",
        "Rastløshet, søvnvansker og konsentrasjonsvansker. Bor alene, og hverdagen mangler "
        "struktur.",
    ),
    "psychosis": (
        "Hører stemmer som kommenterer, er mistenksom og har trukket seg fra venner. Sover "
        "dårlig og har sluttet på skolen.",
        "Tankeforstyrrelser og uvanlige opplevelser. Familien beskriver endring over tre måneder.",
    ),
    "ocd": (
        "Kontrolltvang og tvangstanker om skade, Y-BOCS 26. Bruker tre til fire timer daglig "
        "på ritualer.",
        "Vasketvang og smitteangst. Unngår offentlige steder og har redusert arbeidstid.",
    ),
    "eating": (
        "KMI-persentil falt fra 50 til 10 på fire måneder. Restriktivt spisemønster og "
        "kroppsmisnøye. Fortsatt på skolen.",
        "Episoder med overspising og oppkast 3-4 ganger i uken. Skamfølelse og tristhet.",
    ),
    "pregnant": (
        "Svangerskapet går som forventet. Sliter med søvn og uro og har vansker med å holde "
        "avtaler.",
    ),
    "newborn": (
        "Født til termin, lett irritabel med noe uro og matingsvansker første levedøgn. "
        "Finnegan-skår under grensen for medikamentell behandling.",
    ),
}

RESOURCES: Final = (
    "God innsikt og motivasjon for behandling. Stabil familie og god støtte fra venner.",
    "Har jobbet mange år i samme stilling og liker å gå tur. Gode relasjoner til søsken.",
    "Musikalsk og aktiv i idrettslag. Foreldrene er engasjerte og samarbeidsvillige.",
    "Ønsker endring og har tidligere klart lengre perioder med god fungering.",
)

SOMATIC: Final[dict[bool, tuple[str, ...]]] = {
    False: (
        "Ingen kjente somatiske sykdommer. BT 124/80, BMI 24. Røyker ikke. Lite fysisk aktivitet.",
        "Hypotyreose, godt regulert. BMI 27. Røyker 5 sigaretter daglig. Søvn 5-6 timer.",
        "Astma, bruker inhalasjonsmedisin ved behov. Normalt blodtrykk. Trener to ganger i uken.",
    ),
    True: (
        "Frisk, normal vekst og utvikling. Aktiv i fotball to ganger i uken.",
        "Astma i barneårene, nå symptomfri. Normal høyde og vekt for alder.",
    ),
}

SOCIAL: Final[dict[bool, tuple[str, ...]]] = {
    False: (
        "Gift, to barn i skolealder. Partneren er i full jobb. Ordnet økonomi.",
        "Bor alene i leilighet, har en voksen sønn. Uføretrygdet 50 %.",
        "Samboer, ingen barn. Har kontakt med foreldre og søsken.",
    ),
    True: (
        "Bor med mor og søsken, har fast samvær med far annenhver helg.",
        "Bor med begge foreldrene og en lillebror. Går i 8. klasse.",
    ),
}

PREVIOUS_ILLNESS: Final = (
    "Depressiv episode for fem år siden, behandlet hos fastlege. Ingen alvorlig somatisk sykdom.",
    "Ingen tidligere psykisk eller alvorlig somatisk sykdom.",
    "Angstlidelse i ungdomsårene. Blindtarmsoperert.",
)

EXPECTED_BENEFIT: Final[dict[str, tuple[str, ...]]] = {
    "adult": (
        "Diagnostisk avklaring, strukturert psykoterapi og medikamentvurdering kan gi bedring "
        "og retur til arbeid.",
        "Spesialisert behandling forventes å redusere symptomene og bedre funksjonen.",
    ),
    "child": ("Utredning kan avklare vanskene og gi grunnlag for tiltak hjemme og på skolen.",),
    "tsb": ("Avrusning og strukturert behandling kan gi avhold og bedre helse og livskvalitet.",),
    "psychosis": ("Tidlig behandling ved psykose bedrer prognosen.",),
    "ocd": ("Eksponeringsbehandling har god dokumentert effekt ved tvangslidelse.",),
    "eating": ("Tidlig familiebasert behandling gir god prognose.",),
    "pregnant": ("Tett oppfølging kan sikre et godt svangerskap og forberede omsorgen.",),
    "newborn": (
        "Oppfølging kan sikre god utvikling og støtte samspillet mellom barn og foreldre.",
    ),
}

SUICIDE_RISK: Final = (
    "Ingen aktuelle selvmordstanker eller tidligere forsøk. Vurdert lav risiko.",
    "Passive dødsønsker de siste ukene, ingen planer. Familien er beskyttende. Moderat risiko.",
    "Tidligere selvskading i ungdomsårene, ikke siste år. Vurdert lav til moderat risiko.",
)

VIOLENCE_RISK: Final = (
    "Ingen kjent vold, trusler eller utsatthet for vold.",
    "Utsatt for vold i tidligere parforhold, ingen pågående risiko.",
    "Ingen kjent voldsrisiko.",
)

SUBSTANCE_SUMMARY: Final[dict[str, tuple[str, ...]]] = {
    "default": (
        "Alkohol 2-3 enheter i uken. Ingen vanedannende legemidler eller illegale rusmidler.",
        "Ingen bruk av alkohol eller andre rusmidler.",
        "Alkohol i helger, cannabis noen ganger i året. Ingen vanedannende legemidler.",
    ),
    "tsb": (
        "Langvarig alkoholbruk med økende forbruk, periodevis tilleggsbruk av benzodiazepiner. "
        "Ingen injeksjonsbruk og ingen kjente overdoser.",
        "Daglig cannabis og periodevis amfetamin. Tidligere injeksjonsbruk, ikke siste år.",
    ),
    "pregnant": (
        "Daglig cannabisbruk før graviditeten, redusert etter positiv graviditetstest. "
        "Ingen injeksjonsbruk.",
    ),
}

SUBSTANCES: Final = (
    Substance(
        "alkohol", "8-12 enheter per dag", "daglig", "oralt", "ca. 3 år", "Økning siste halvår."
    ),
    Substance(
        "cannabis (hasj)", "1-3 joints", "daglig", "røyking", "ca. 2 år", "Redusert siste måned."
    ),
    Substance(
        "amfetamin", "0,5-1 g", "2-3 ganger i måneden", "nasalt", "ca. 1 år", "Ingen endring."
    ),
    Substance(
        "benzodiazepiner (uten resept)",
        "5-15 mg",
        "2-3 ganger i uken",
        "oralt",
        "ca. 1 år",
        "Bruker mer for å sove.",
    ),
    Substance("tobakk (sigaretter)", "10 sigaretter", "daglig", "røyking", "20 år", "Ingen."),
)

#: Referral diagnoses (ICPC-2, the GP's tentative assessment): code and text, per group.
ICPC2: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "adult": (("P76", "Depressiv lidelse"), ("P74", "Angstlidelse"), ("P82", "PTSD")),
    "child": (
        ("P81", "Hyperkinetisk forstyrrelse"),
        ("P76", "Depressiv lidelse"),
        ("P74", "Angstlidelse"),
    ),
    "tsb": (("P15", "Kronisk alkoholmisbruk"), ("P19", "Medikamentmisbruk")),
    "psychosis": (("P98", "Psykose IKA"), ("P72", "Schizofreni")),
    "ocd": (("P79", "Fobi/tvangslidelse"),),
    "eating": (("P86", "Anoreksi/bulimi"),),
    "pregnant": (("P19", "Medikamentmisbruk"), ("W78", "Svangerskap")),
    "newborn": (("A94", "Perinatal sykelighet IKA"),),
}

#: Epicrisis diagnoses (ICD-10): main diagnoses per group, and some secondary ones.
ICD10: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "adult": (
        ("F32.1", "Moderat depressiv episode"),
        ("F33.1", "Tilbakevendende depressiv lidelse, nåværende episode moderat"),
        ("F41.1", "Generalisert angstlidelse"),
        ("F43.1", "Posttraumatisk stresslidelse"),
    ),
    "child": (
        ("F90.0", "Forstyrrelse av aktivitet og oppmerksomhet"),
        ("F32.1", "Moderat depressiv episode"),
        ("F93.0", "Separasjonsangst i barndommen"),
    ),
    "tsb": (
        (
            "F10.2",
            "Psykiske lidelser og atferdsforstyrrelser som skyldes bruk av alkohol, "
            "avhengighetssyndrom",
        ),
        (
            "F12.2",
            "Psykiske lidelser og atferdsforstyrrelser som skyldes bruk av cannabinoider, "
            "avhengighetssyndrom",
        ),
        (
            "F13.2",
            "Psykiske lidelser og atferdsforstyrrelser som skyldes bruk av sedativer eller "
            "hypnotika, avhengighetssyndrom",
        ),
    ),
    "psychosis": (
        ("F20.0", "Paranoid schizofreni"),
        ("F23.1", "Akutt polymorf psykotisk lidelse med symptomer på schizofreni"),
    ),
    "ocd": (
        ("F42.2", "Blandede tvangstanker og tvangshandlinger"),
        ("F42.1", "Overveiende tvangshandlinger"),
    ),
    "eating": (("F50.0", "Anorexia nervosa"), ("F50.2", "Bulimia nervosa")),
    "pregnant": (
        ("F12.1", "Skadelig bruk av cannabinoider"),
        ("F10.1", "Skadelig bruk av alkohol"),
    ),
    "newborn": (
        (
            "P96.1",
            "Abstinenssymptomer hos nyfødt som følge av mors bruk av avhengighetsskapende stoff",
        ),
    ),
}
SECONDARY_ICD10: Final = (
    ("E03.9", "Hypotyreose, uspesifisert"),
    ("J45.9", "Astma, uspesifisert"),
    ("G47.0", "Innsovnings- og søvnvedlikeholdsforstyrrelser"),
)

DRUGS: Final[dict[str, tuple[Drug, ...]]] = {
    "adult": (
        Drug("Escitalopram", "N06AB10", "10 mg x 1", "1", True),
        Drug("Sertralin", "N06AB06", "50 mg x 1", "1", True),
        Drug("Venlafaksin", "N06AX16", "75 mg depotkapsel x 1", "1", True),
        Drug("Zopiklon", "N05CF01", "3,75 mg ved behov", "3", True),
        Drug("Levotyroksin", "H03AA01", "75 mikrogram x 1", "1", False),
        Drug("Salbutamol inhalasjon", "R03AC02", "0,1 mg ved behov", "3", False),
    ),
    "child": (
        Drug("Metylfenidat", "N06BA04", "18 mg depottablett x 1", "1", True),
        Drug("Melatonin", "N05CH01", "3 mg ved leggetid", "1", True),
        Drug("Cetirizin", "R06AE07", "10 mg ved behov", "3", False),
    ),
    "tsb": (
        Drug("Tiamin", "A11DA01", "100 mg x 1", "1", False),
        Drug("Naltrekson", "N07BB04", "50 mg x 1", "1", True),
        Drug("Oksazepam", "N05BA04", "15 mg nedtrappingsplan", "2", True),
        Drug("Ibuprofen", "M01AE01", "400 mg inntil x 3", "3", False),
    ),
    "psychosis": (
        Drug("Aripiprazol", "N05AX12", "10 mg x 1", "1", True),
        Drug("Olanzapin", "N05AH03", "10 mg x 1 kveld", "1", True),
    ),
    "ocd": (
        Drug("Sertralin", "N06AB06", "100 mg x 1", "1", True),
        Drug("Fluoksetin", "N06AB03", "40 mg x 1", "1", True),
    ),
    "eating": (Drug("Multivitamin", "A11AA03", "1 tablett x 1", "5", False),),
    "pregnant": (
        Drug("Folsyre", "B03BB01", "0,4 mg x 1", "5", False),
        Drug("Jern", "B03AA07", "100 mg x 1", "1", False),
    ),
    "newborn": (Drug("D-vitamin dråper", "A11CC05", "10 mikrogram x 1", "5", False),),
}

# -- epicrisis content ---------------------------------------------------------------------------

ASSESSMENT_SUMMARY: Final[dict[str, tuple[str, ...]]] = {
    "adult": (
        "Basisutredning med MINI, MADRS og somatisk gjennomgang. Konklusjon: depressiv lidelse "
        "av moderat grad. Ingen holdepunkter for bipolar lidelse.",
        "Utredning med strukturert intervju og selvrapportering. Konklusjon: generalisert "
        "angstlidelse med sekundær søvnforstyrrelse.",
    ),
    "child": (
        "Utredning med observasjon på skolen, samtaler med barn og foreldre og kartleggingsskjema. "
        "Konklusjon forenlig med oppmerksomhetsvansker.",
        "Kartlegging med K-SADS og samtaler med ungdom og foreldre. Konklusjon: moderat "
        "depressiv episode.",
    ),
    "tsb": (
        "Basisutredning med AUDIT, DUDIT, somatisk undersøkelse og kartlegging av psykisk helse. "
        "Konklusjon: avhengighetssyndrom.",
    ),
    "psychosis": (
        "Utredning med SCID, nevrologisk og somatisk undersøkelse og komparentopplysninger. "
        "Konklusjon: psykoselidelse.",
    ),
    "ocd": ("Utredning med Y-BOCS og strukturert intervju. Konklusjon: tvangslidelse.",),
    "eating": (
        "Utredning med EDE-Q, somatisk status og familiesamtaler. Konklusjon: spiseforstyrrelse "
        "som krever behandling.",
    ),
    "pregnant": (
        "Kartlegging av rusmiddelbruk, psykisk helse og sosial situasjon i samarbeid med "
        "jordmor. Konklusjon: skadelig bruk av rusmidler i svangerskapet.",
    ),
    "newborn": (
        "Observasjon av barnet og samspillet, pediatrisk vurdering. Konklusjon: milde "
        "abstinenssymptomer, god utvikling.",
    ),
}

TREATMENT_SUMMARY: Final[dict[str, tuple[str, ...]]] = {
    "adult": (
        "Kognitiv atferdsterapi med atferdsaktivering over 16 timer og justering av "
        "medisinering. Tydelig bedring, gradvis tilbake i arbeid.",
        "Gruppebehandling og individuelle samtaler. Mindre bekymring og bedre søvn ved avslutning.",
    ),
    "child": (
        "Foreldreveiledning, samarbeid med skolen og individuelle samtaler. Bedre fungering på "
        "skolen ved avslutning.",
    ),
    "tsb": (
        "Avrusning og poliklinisk behandling med motiverende intervju og gruppetilbud. Stabilt "
        "redusert forbruk ved avslutning.",
    ),
    "psychosis": (
        "Antipsykotisk behandling, psykoedukasjon for pasient og familie og oppfølging i "
        "tidligintervensjonsteamet. Symptomene er i remisjon.",
    ),
    "ocd": ("Eksponering med responsprevensjon over 14 timer. Y-BOCS falt til 10.",),
    "eating": ("Familiebasert behandling med jevnlig veiing. Vekten er normalisert.",),
    "pregnant": (
        "Tett oppfølging gjennom svangerskapet i samarbeid med jordmor og kommunen. Rusfri "
        "siste trimester.",
    ),
    "newborn": ("Oppfølging av barnet og veiledning av foreldrene. God utvikling ved avslutning.",),
}

CHOSEN_SOLUTION: Final = (
    "Videre oppfølging hos fastlege og kommunal psykisk helsetjeneste; ingen behov for "
    "behandling i spesialisthelsetjenesten nå.",
    "Pasienten følges opp av fastlege med råd fra poliklinikken ved behov.",
    "Henvist videre til annen spesialisthelsetjeneste etter avtale med pasienten.",
)

EARLY_END_SUMMARY: Final = (
    "Pasienten møtte til første samtale, men ønsket ikke videre utredning nå.",
    "Pasienten ønsket å avslutte forløpet etter første samtale.",
)

FOLLOW_UP_ADVICE: Final = (
    "Avsluttes i spesialisthelsetjenesten. Fastlege følger opp og vurderer stemningsleiet hver "
    "fjerde til sjette uke det første halvåret. Ved tilbakefall kan fastlege ta direkte kontakt.",
    "Videre oppfølging hos fastlege og i kommunal psykisk helsetjeneste etter avtalt plan.",
    "Pasienten har time hos fastlege om to uker. Kommunen følger opp med jevnlige samtaler.",
)

SOMATIC_ADVICE: Final = (
    "Fastlege kontrollerer blodtrykk og vekt etter tre måneder.",
    "Årlig somatisk kontroll hos fastlege med blodprøver.",
    "Fastlege følger opp vekst og vekt de neste månedene.",
)

LIFESTYLE_ADVICE: Final = (
    "Daglig fysisk aktivitet, faste sovetider og lite alkohol.",
    "Regelmessige måltider, fysisk aktivitet og røykeslutt anbefales.",
    "Rusfrihet, faste måltider og fysisk aktivitet; fortsetter i treningsgruppe.",
)

CONTINUED_USE: Final = (
    "Medisinen videreføres i minst 12 måneder etter bedring.",
    "Videreføres uendret; fastlege vurderer effekt og bivirkninger.",
)

TAPERING: Final = (
    "Nedtrapping over minst fire uker tidligst om et år.",
    "Vurder nedtrapping etter seks måneder uten symptomer.",
)

YEARLY_REVIEW: Final = (
    "Fastlege tilbyr årlig gjennomgang av legemiddelbehandlingen.",
    "Årlig legemiddelgjennomgang hos fastlege, første gang om tolv måneder.",
)

CRISIS_PLAN: Final = (
    "Kriseplan med varselsignaler, mestringsstrategier og kontaktinformasjon til fastlege og "
    "legevakt.",
    "Mestringsplan utarbeidet sammen med pasienten og pårørende.",
)

MUNICIPAL_PLAN: Final = (
    "Kommunal psykisk helsetjeneste har samtaler hver uke de første to månedene.",
    "Koordinerende enhet følger opp individuell plan og bolig.",
    "Ruskonsulent i kommunen følger opp med ukentlige samtaler og hjelp med NAV.",
)

# -- feedback to the referrer and the GP ---------------------------------------------------------

ASSESSMENT_REPORT: Final = (
    "Basisutredningen er gjennomført med samtaler, strukturert kartlegging og somatisk "
    "undersøkelse. Funn og konklusjon er gjennomgått med pasienten.",
    "Utredningen viser en behandlingstrengende tilstand. Rapporten er gitt pasienten i samme "
    "form som vedlagt.",
    "Kartleggingen av symptomer, funksjon, somatisk helse og levevaner er oppsummert i "
    "vedlagte rapport, som pasienten også har fått.",
)
TREATMENT_PLAN: Final = (
    "Behandlingsplanen er utarbeidet sammen med pasienten: samtalebehandling hver uke, "
    "oppfølging av somatisk helse hos fastlegen og evaluering etter åtte uker.",
    "Planen omfatter individuell behandling, medikamentell vurdering og samarbeidsmøte med "
    "kommunen. Mål og tiltak er avtalt med pasienten.",
    "Pasienten følges poliklinisk med faste samtaler og strukturert evaluering. Planen "
    "omfatter også tiltak for levevaner og søvn.",
)
PLAN_CHANGES: Final = (
    "Etter evalueringen er behandlingen endret fra individuell behandling til gruppebehandling "
    "etter ønske fra pasienten.",
    "Evalueringen viste liten bedring, og planen er utvidet med medikamentell behandling og "
    "tettere oppfølging.",
)
