"""Headers that announce an identifier, in the spellings NHS exports and teams use.

A header is first reduced to plain words (:func:`words`): camelCase split, accents and
case folded, punctuation dropped, and runs of single letters joined, so "DOB (dd/mm/yyyy)",
"D.O.B.", "PatientDOB" and "date_of_birth" all read as words a rule can match. Rules are
phrases on those words, tried in order (an "Email Address" is an email, not an address); a
rule can name words that cancel it ("NHS Number Status Indicator" is a code, "Postcode
District" is not a full postcode, "Telephone appointments" is a count).

Spellings are English as NHS systems export it (MHSDS, CDS, SUS, RiO, SystmOne, EMIS, PAS),
Welsh, Scottish (CHI) and Northern Irish (H&C) numbers, and the languages teams in the UK
write in beside English: Polish, Romanian, Lithuanian, Portuguese, Spanish, French, Italian,
German, Turkish, Somali, Irish and transliterated Urdu, Punjabi, Hindi and Bengali.
"""
from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE",
                       "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "ı": "i", "’": "'"})


def words(header) -> str:
    """A header as lower-case ASCII words separated by single spaces."""
    text = str(header)[:200]
    text = re.sub(r"(?<=[a-z])(?=[A-Z][a-z]|[A-Z]{2})|(?<=[A-Z])(?=[A-Z][a-z])", " ", text)
    text = text.translate(_FOLD)
    text = re.sub(r"(?<=\w)'s\b", "", text)                       # "Patient's name"
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    tokens = re.findall(r"[a-z0-9]+", text)
    out: list[str] = []
    run: list[str] = []
    for token in tokens + [""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if run:
            out.extend(["".join(run)] if len(run) > 1 else run)  # "d o b" -> "dob"
            run = []
        if token:
            out.append(token)
    return " ".join(out)


def _phrases(*items: str) -> str:
    """Alternatives of whole words; a space inside a phrase may also be left out
    ("date of birth", "dateofbirth"), as exports join words both ways."""
    return "|".join(p.replace(" ", " ?") for p in items)


def _rule(*phrases: str, whole: tuple[str, ...] = ()) -> re.Pattern:
    parts = [rf"(?:^| )(?:{_phrases(*phrases)})(?= |$)"] if phrases else []
    if whole:
        parts.append(rf"^(?:{_phrases(*whole)})$")
    return re.compile("|".join(parts))


_NUMBER = "(?: ?(?:number|numbers|no|num|nbr|nr|id|identifier|ref|reference))"
_PERSON = ("patient", "client", "service user", "su", "pt", "person", "resident", "customer")

# (kind, rule, words that cancel it) in the order they are tried.
RULES: list[tuple[str, re.Pattern, re.Pattern | None]] = [
    ("NHS number", re.compile(
        rf"(?:^| )nhs{_NUMBER}(?= |$)|^(?:(?:patient|client|person|pt|su|new|old|verified) )?nhs$"
        r"|(?:^| )(?:numer|numero|numar|nummer|rhif) (?:de |del |y )?(?:nhs|gig)(?= |$)"
        r"|(?:^| )chi ?(?:number|no|num|nbr)(?= |$)|^(?:patient )?chi(?: id)?$"
        r"|(?:^| )(?:hc|h and c|health and care) ?(?:number|no|nbr)(?= |$)|^hcn$"),
     re.compile(r"\b(?:status|indicator|trace|traced|flag|present|missing|recorded|valid|validity"
                r"|checked|match|matched|consent|count)\b")),
    ("patient identifier", _rule(
        "mrn", "medical record number", "medical record no", "medical record id", "hospital number",
        "hospital no", "hospital num", "hospital id", "hospital ref", "hospital reference",
        "hosp no", "hosp number", "hosp num", "case note number", "case note no", "case note ref",
        "casenote", "unit number", "unit no", "rio id", "rio number", "rio no", "rio num",
        "rio ref", "pas id", "pas number", "pas no", "pas num", "pas ref", "lpi",
        "local patient id", "local patient identifier", "local patient number", "mpi",
        "epr id", "epr number", "epr no", "emis id", "emis number", "emis no", "systm one id",
        "systm one number", "systm one no", "system one id", "system one number", "s1 id",
        "s1 number", "carenotes id", "carenotes number", "lorenzo id", "lorenzo number",
        "paris id", "paris number", "mosaic id", "mosaic number", "crn", "k number",
        "pesel", "cnp", "dni", "nif", "nir", "nino", "ni number", "ni no", "national insurance",
        "national insurance number", "national insurance no", "codice fiscale", "passport number",
        "passport no", "numero de securite sociale", "numero de seguridad social",
        "numero de utente", "numero utente", "rhif ysbyty", "rhif claf", "rhif cleient",
        "rhif yswiriant gwladol",
        whole=tuple(f"{p} (?:id|identifier|number|no|num|nbr|ref|reference|key)" for p in _PERSON)
        + ("patient", "client", "service user", "rio", "pas", "claf")),
     re.compile(r"\b(?:type|status|count|flag)\b")),
    ("date of birth", _rule(
        "dob", "date of birth", "birth date", "birth dt", "dt of birth", "date birth", "birthday",
        "date born", "birth day", "dyddiad geni", "data urodzenia", "date de naissance",
        "date naissance", "ddn", "fecha de nacimiento", "fecha nacimiento", "data de nascimento",
        "data nascimento", "data nasterii", "data de nastere", "data di nascita",
        "geburtsdatum", "geb datum", "dogum tarihi", "gimimo data", "tareekh paidaish",
        "tarikh paidaish", "tarikh e paidaish", "tareekh e paidaish", "tarikh pedaish",
        "janam tithi", "janam tarikh", "jonmo tarikh", "jonmodin", "taariikhda dhalashada",
        "data breithe", "ceann latha breith"),
     re.compile(r"\b(?:place|country|city|town|year|month|weight|order|registered|registration"
                r"|mother|baby|child|infant)\b")),
    ("email", _rule(
        "email", "e mail", "email address", "email addr", "e mail address", "courriel",
        "correo", "correo electronico", "correio eletronico", "correio electronico", "e bost",
        "adres e mail", "adresse electronique", "posta elettronica", "el pastas", "eposta"),
     re.compile(r"\b(?:consent|opt|optin|optout|flag|sent|allowed|permission|ok|yn|preference"
                r"|preferred|status|valid|verified|count)\b")),
    ("phone number", _rule(
        "phone", "telephone", "tel", "tel no", "tel number", "telno", "mob", "mobile", "cell",
        "cellphone", "landline", "contact number", "contact no", "contact tel", "phone number",
        "telephone number", "mobile number", "mobile no", "rhif ffon", "ffon", "ffon symudol",
        "symudol", "telefon", "telefonu", "numer telefonu", "nr tel", "komorka", "portable",
        "telefono", "movil", "celular", "telefone", "telemovel", "mobil", "cellulare", "handy",
        "telefonas", "cep telefonu", "numar de telefon", "numero de telephone",
        "numero de telefono", "numero de telefone", "lambarka taleefanka"),
     re.compile(r"\b(?:appointment|appointments|appt|appts|consultation|consultations|triage"
                r"|assessment|assessments|call|calls|session|sessions|follow|review|reviews"
                r"|clinic|service|services|team|teams|consent|outcome|attended|type|mode|method"
                r"|preferred|flag|yn|contacts|count|support|therapy|unit|access)\b")),
    ("postcode", _rule(
        "postcode", "post code", "postal code", "zip", "zip code", "pcode", "cod post",
        "kod pocztowy", "code postal", "codigo postal", "cep", "cod postal", "postleitzahl",
        "plz", "posta kodu", "pasto kodas", "codice postale", "koodhka boostada"),
     re.compile(r"\b(?:district|outward|out|area|sector|prefix|partial|first|half|region|lsoa"
                r"|msoa|ward|imd|deprivation|decile|quintile|lookup|valid|count)\b")),
    ("address", _rule(
        "address", "addr", "addr1", "addr2", "address line", "address1", "address2", "address3",
        "street", "street name", "house number", "house name", "house no", "flat number",
        "home address", "usual address", "cyfeiriad", "adres", "adresse", "direccion",
        "domicilio", "morada", "endereco", "adresa", "indirizzo", "anschrift", "adresas",
        "pata", "ghar ka pata", "thikana", "cinwaan", "seoladh", "ulica", "rue", "calle", "rua",
        "strada", "strasse", "sokak"),
     re.compile(r"\b(?:type|status|fixed|verified|flag|consent|change|changed|count|known"
                r"|history|ip|web|no fixed|valid|lsoa|msoa|ward|imd|deprivation|decile)\b")),
]

# A header with a name word is a person's name unless it names something else ("Team Name",
# "GP Practice Name", "LSOA name"); person words are taken out first, so "Service User Name"
# is a name and "Patient GP Practice Name" is a practice.
_NAME = _rule(
    "name", "names", "forename", "forenames", "fore name", "surname", "surnames", "sur name",
    "first name", "last name", "given name", "given names", "family name", "full name",
    "middle name", "maiden name", "preferred name", "known as", "christian name", "alias",
    "initials", "nom", "prenom", "nom de famille", "nombre", "nombres", "apellido", "apellidos",
    "nome", "apelido", "sobrenome", "nume", "prenume", "numele", "cognome", "vorname",
    "nachname", "familienname", "imie", "nazwisko", "imiona", "enw", "cyfenw", "enw cyntaf",
    "enw olaf", "enw llawn", "vardas", "pavarde", "soyad", "soyadi", "ad soyad", "adi soyadi",
    "naam", "pura naam", "magac", "ainm", "sloinne")
_KIN = re.compile(r"^(?:(?:patient|client) )?(?:nok|next of kin|nextofkin|perthynas agosaf)"
                  r"(?: (?:details|contact|1|2))?$")
_PERSON_WORDS = re.compile(
    r"(?:^| )(?:patient|patients|client|clients|service ?user|su|pt|person|nok|next ?of ?kin|carer"
    r"|carers|parent|mother|father|guardian|child|baby|resident|relative|emergency contact"
    r"|spouse|claf|cleient|gofalwr|perthynas agosaf)(?= |$)")
_NOT_A_PERSON = re.compile(
    r"\b(?:team|teams|practice|gp|gps|surgery|service|services|site|clinic|ward|lsoa|msoa|lad"
    r"|la|local authority|org|organisation|organization|provider|trust|hospital|ccg|icb|pcn"
    r"|indicator|file|sheet|area|region|borough|locality|commissioner|specialty|speciality"
    r"|diagnosis|condition|procedure|drug|medication|medicine|activity|appointment|clinician"
    r"|staff|consultant|professional|referrer|referring|referral|caseload|place|neighbourhood"
    r"|school|unit|location|category|group|ethnic|ethnicity|source|outcome|programme|program"
    r"|project|measure|event|form|test|question|field|column|variable|product|company|employer"
    r"|hcp|worker|keyworker|therapist|nurse|doctor|psychiatrist|coordinator|lead|author|user"
    r"|username|login|account|device|app|pharmacy|country|city|town|county|building|room|bed"
    r"|course|module|package|plan|tool|questionnaire|scale|score|code|type|status|sender"
    r"|tim|meddygfa|gwasanaeth|ysbyty|practis|ardal|equipe|zespol|przychodnia|echipa|equipo"
    r"|display|file|document|report|dataset|table)\b")


def header_kind(header) -> str | None:
    """The kind of identifier a column header announces ("NHS number", "patient identifier",
    "date of birth", "email", "phone number", "postcode", "address", "name"), or None."""
    text = words(header)
    if not text:
        return None
    for kind, rule, cancel in RULES:
        if rule.search(text) and not (cancel and cancel.search(text)):
            return kind
    if _KIN.match(text):
        return "name"
    if _NAME.search(text):
        rest = _PERSON_WORDS.sub(" ", text)
        if not _NOT_A_PERSON.search(rest):
            return "name"
    return None


def names_something_else(header) -> bool:
    """True when a header names a thing that is not a person (a team, a GP practice, a
    referral source, a discharge reason...): its values are not read as people's names."""
    text = words(header)
    return bool(_NOT_A_PERSON.search(_PERSON_WORDS.sub(" ", text))) or bool(
        re.search(r"\b(?:reason|reasons|outcome|destination|referred|source|by|from|via|route"
                  r"|pathway|method|mode|setting|sex|gender|ethnic|ethnicity|religion|language"
                  r"|nationality|diagnosis|employment|accommodation|housing|benefits)\b", text))
