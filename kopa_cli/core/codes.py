"""Every diagnostic code kopa reports, in one place. docs/rules.md explains each one.

KOPA1xx  reading files: encoding, YAML, Markdown structure
KOPA2xx  shape of a record: keys, types, formats
KOPA3xx  what the call requires of an application
KOPA4xx  references between records
KOPA5xx  pilots: members, approvals, fee split
KOPA6xx  identifiers: Y-tunnus, IBAN, e-invoice address, municipality code
KOPA7xx  the invoice ledger: numbers, references, amounts, credit notes, append-only
KOPA8xx  area statistics
"""

from kopa_cli.core.diagnostics import Severity, code
from kopa_cli.core.i18n import N_

E, W = Severity.ERROR, Severity.WARNING

# Reading files
NOT_UTF8 = code("KOPA101", E, N_("the file is not valid UTF-8 text (byte {byte} cannot be decoded); save it as UTF-8"))
TOO_LARGE = code("KOPA102", E, N_("the file is {size}; a record may be at most {limit}"))
EMPTY_FILE = code("KOPA103", E, N_("the file is empty"))
YAML_SYNTAX = code("KOPA104", E, N_("YAML syntax error: {problem}"))
TAB_INDENT = code("KOPA105", E, N_("a tab character in indentation; YAML allows only spaces"))
DUPLICATE_KEY = code("KOPA106", E, N_("the field '{key}' is given twice (first on line {first_line}); keep only one"))
ALIAS = code("KOPA107", E, N_("anchors and aliases (&, *) are not allowed in records; write the value out"))
TAG = code("KOPA108", E, N_("the tag {tag} is not allowed in records; remove it"))
TOO_DEEP = code("KOPA109", E, N_("the data is nested more than {limit} levels deep"))
NOT_A_MAPPING = code("KOPA110", E, N_("the file must hold fields, one 'name: value' a line, but it is {found}"))
FRONT_MATTER = code("KOPA111", E, N_("a Markdown application must start with YAML front matter between two '---' lines"))
UNKNOWN_HEADING = code("KOPA112", E, N_("unknown section heading '{heading}'; the sections are '{goal}' and '{plan}'"))
HEADING_LEVEL = code("KOPA113", E, N_("use a level-2 heading (## ...) for the sections of an application"))
TEXT_OUTSIDE_SECTION = code("KOPA114", E, N_("text before the first section heading; put it under a '## ...' heading"))
SYMLINK_OUTSIDE = code("KOPA115", E, N_("the file is a link to {target}, outside the workspace; records must be inside it"))
UNREADABLE = code("KOPA116", E, N_("the file cannot be read: {reason}"))
BAD_FILE_NAME = code("KOPA117", E, N_("'{name}' is not a valid record file name: use lowercase letters, digits and hyphens, ending in {suffixes}{hint}"))
UNEXPECTED_FILE = code("KOPA118", W, N_("kopa does not know what this file is; records go in {folders}"))
MISSING_CALL = code("KOPA119", E, N_("the workspace has no records/call.yaml"))
NOT_A_LIST = code("KOPA121", E, N_("the file must hold a list of entries, each starting with '- ', but it is {found}"))
SECTION_TWICE = code("KOPA120", E, N_("'{field}' is given twice (first on line {first_line}); keep only one"))

# Shape of a record
UNKNOWN_KEY = code("KOPA201", E, N_("unknown field '{key}'{hint}"))
MISSING_KEY = code("KOPA202", E, N_("{key} is missing"))
WRONG_TYPE = code("KOPA203", E, N_("{key} must be {expected}, not {found}"))
NOT_A_DATE = code("KOPA204", E, N_("{key} must be a date like 2019-12-13, not '{value}'{reason}"))
NOT_MONEY = code("KOPA205", E, N_("{key} is {value}, which is not an amount of money: write digits and at most two decimals after a point, like \"5000.00\""))
NOT_IN_CHOICES = code("KOPA206", E, N_("{key} is {value}; it must be one of: {choices}{hint}"))
BAD_ID = code("KOPA207", E, N_("'{value}' is not a valid id: use lowercase letters, digits and single hyphens, like kainuu-lukiot{hint}"))
BAD_EMAIL = code("KOPA208", E, N_("'{value}' is not an email address"))
BAD_FORMAT = code("KOPA209", E, N_("{key} is '{value}'; expected {expected}"))
EMPTY_VALUE = code("KOPA210", E, N_("{key} is empty"))
DUPLICATE_ITEM = code("KOPA211", E, N_("'{value}' is listed twice in {key}"))
NOT_POSITIVE = code("KOPA212", E, N_("{key} must be greater than zero, not {value}"))
OUT_OF_RANGE = code("KOPA213", E, N_("{key} is {value}; it must be from {minimum} to {maximum}"))
TOO_MANY_DECIMALS = code("KOPA214", E, N_("{key} is {value}; it may have at most {places}"))
CONTROL_CHARACTER = code("KOPA215", E, N_("{key} contains the control character {character}{name}, which invoices, spreadsheets and e-invoices cannot carry; remove it (only an application's sections may have line breaks and tabs)"))
NEEDS_QUOTES = code("KOPA216", E, N_("{key} must be written in quotes: \"{value}\" (without them, {value} is not text but {found})"))
NEEDS_NO_QUOTES = code("KOPA217", E, N_("{key} is written in quotes (\"{value}\"), so it is read as text; remove the quotes: {value}"))
COLON_IN_VALUE = code("KOPA218", E, N_("text that contains a colon and a space (': ') must be in quotes: {key}: \"{value}\""))
INVISIBLE_CHARACTER = code("KOPA219", E, N_("an invisible character, {character} ({codepoint}), breaks the structure of the file here; replace it with an ordinary space or delete it"))

# What the call requires of an application
REQUIRED_CONTENT = code("KOPA301", E, N_("the call requires '{label}' ({key}); it is missing"))
TOO_LONG = code("KOPA302", E, N_("the application is {count} / {limit} characters; the text crosses the limit here, in '{label}'"))
LATE = code("KOPA303", E, N_("submitted on {submitted}, after the deadline {deadline}"))
UNKNOWN_EDUCATION_FORM = code("KOPA304", E, N_("'{value}' is not an education form of the call; expected one of: {choices}{hint}"))
UNKNOWN_GOAL = code("KOPA305", E, N_("the call has no goal {value}; its goals are {choices}"))
WRONG_CALL = code("KOPA306", E, N_("the application is for call '{value}', but this workspace's call is '{call}'"))

# References between records
UNKNOWN_ORGANIZATION = code("KOPA401", E, N_("no organisation '{value}' in records/organizations/{hint}"))
RESPONSIBLE_NOT_MEMBER = code("KOPA402", E, N_("the responsible organisation '{value}' is not one of the members"))
UNKNOWN_APPLICATION = code("KOPA403", E, N_("no application '{value}' in records/applications/{hint}"))
APPLICATION_NOT_SELECTED = code("KOPA404", E, N_("the pilot is based on application '{value}', whose status is {status}; it must be {selected}"))
DUPLICATE_MEMBER = code("KOPA405", E, N_("'{value}' is a member twice"))
DUPLICATE_ID = code("KOPA406", E, N_("the id '{value}' is used by two files: {other}"))
TWO_PILOTS = code("KOPA407", E, N_("application '{value}' already has a pilot: {other}"))
FEW_MEMBERS = code("KOPA408", W, N_("only {members}; a pilot is a group of municipalities and providers"))
DUPLICATE_BUSINESS_ID = code("KOPA409", E, N_("the Y-tunnus {value} also appears in {other}; one payer needs one organisation record, or it is billed twice"))
NOT_IN_APPLICATION = code("KOPA410", W, N_("'{value}' is a member of the pilot but not of its application {application}"))
NOT_IN_PILOT = code("KOPA411", W, N_("'{value}' is a member of the application but not of its pilot {pilot}"))
UNREADABLE_RECORD = code("KOPA412", E, N_("'{value}' is in the file {file}, {reason}; fix the problem reported there first"))

# Pilots
MISSING_APPROVAL = code("KOPA501", E, N_("member '{value}' has no approval; the call requires every member's authorisation and approval"))
NO_POPULATION = code("KOPA502", E, N_("member '{value}' has no population for {year} in its organisation record; the population split needs it"))
NO_WEIGHT = code("KOPA503", E, N_("member '{value}' has no weight; the weights split needs a weight for every member"))
UNUSED_WEIGHT = code("KOPA504", W, N_("member '{value}' has a weight, but the fee is split {split}; the weight is not used"))
NO_POPULATION_YEAR = code("KOPA505", E, N_("the population split needs 'population_year' (the 31.12. figure to use)"))
YEAR_NOT_IN_CALL = code("KOPA506", E, N_("the call has no fee year {value}; its fee years are {choices}"))
NO_MEMBERS_IN_YEAR = code("KOPA508", E, N_("no member takes part in fee year {year}; the fee cannot be split"))
LEFT_BEFORE_JOINED = code("KOPA509", E, N_("the member left on {left}, before it joined on {joined}"))
APPROVAL_BEFORE_APPLICATION = code("KOPA510", W, N_("the approval is dated {approval}, before the application was submitted on {submitted}"))
NO_VAT_RATE = code("KOPA511", E, N_("the VAT table (fee.vat) has no rate in force on {day} for fee year {year}; add the rate that applied then"))
ZERO_POPULATION = code("KOPA512", E, N_("the members taking part in fee year {year} have a population of 0 in all on 31.12.{population_year}; the population split cannot divide the fee"))
NO_FEE_YEAR_FOR_MEMBER = code("KOPA513", W, N_("member '{value}' takes part in none of the pilot's fee years {years}; it would pay nothing. Check its joined and left dates"))

# Identifiers
BAD_BUSINESS_ID = code("KOPA601", E, N_("'{value}' is not a valid Y-tunnus (business id, form 1234567-8 with a correct check digit)"))
BAD_IBAN = code("KOPA602", E, N_("'{value}' is not a valid IBAN"))
BAD_BIC = code("KOPA603", E, N_("'{value}' is not a valid BIC"))
BAD_EINVOICE_ADDRESS = code("KOPA604", E, N_("'{value}' is not a valid e-invoice address (0037 + the 8 digits of a Y-tunnus + an optional suffix, or an IBAN)"))
BAD_EINVOICE_OPERATOR = code("KOPA605", E, N_("'{value}' is not a valid e-invoice operator id (0037 + a Y-tunnus, or a BIC)"))
BAD_MUNICIPALITY_CODE = code("KOPA606", E, N_("'{value}' is not a municipality code (three digits, quoted, like \"205\")"))
MUNICIPALITY_CODE_TYPE = code("KOPA607", E, N_("only a municipality has a municipality code; this organisation is {type}"))
EINVOICE_NOT_OWN = code("KOPA608", W, N_("the e-invoice address {value} is not built from this organisation's Y-tunnus {business_id}"))
PLACEHOLDER = code("KOPA609", W, N_("{key} still holds the template's example ({value}); write the organiser's real details here before invoicing"))
NO_BILLING_ADDRESS = code("KOPA610", W, N_("the organisation has neither an e-invoice address (einvoice) nor a billing e-mail address (billing_email): there is nowhere to send its invoices"))

# The invoice ledger (records/invoices/<year>.yaml)
LEDGER_NOT_A_FEE_YEAR = code("KOPA701", E, N_("'{name}' is not a ledger of a fee year: the ledgers are records/invoices/<year>.yaml for the call's fee years {years}"))
LEDGER_WRONG_YEAR = code("KOPA702", E, N_("{key} is {value}, but this is the ledger of fee year {year}; an entry belongs in the ledger of its fee year"))
DUPLICATE_INVOICE_NUMBER = code("KOPA703", E, N_("the invoice number {value} is also used in {other}; every invoice and credit note has a number of its own"))
INVOICE_NUMBER_GAP = code("KOPA704", E, N_("the number is {value}, but the next number of fee year {year} is {expected}: numbers run from {first} without gaps, in the order of the file"))
INVOICE_DATE_ORDER = code("KOPA705", E, N_("the invoice is dated {date}, before the entry above it ({previous}); numbers must follow dates"))
WRONG_INVOICE_REFERENCE = code("KOPA706", E, N_("the reference number is {value}, but the reference of invoice {number} is {expected} (the number and its check digit)"))
WRONG_DUE_DATE = code("KOPA707", E, N_("the due date {due} must be on the invoice date {date} or at most 30 days after it (laki 30/2013)"))
WRONG_TOTAL = code("KOPA708", E, N_("the total is {value}, but net {net} + VAT {vat} is {expected}"))
WRONG_VAT = code("KOPA709", E, N_("the VAT is {value}, but the VAT of the net {net} at {rate} is {expected}"))
WRONG_SIGN = code("KOPA710", E, N_("{key} is {value}: {requirement}"))
CREDITS_MISPLACED = code("KOPA711", E, N_("credits: {requirement}"))
CREDITS_NOT_AN_INVOICE = code("KOPA712", E, N_("the credit note corrects {value}, {reason}"))
CREDIT_NOTE_MISMATCH = code("KOPA713", E, N_("{key} is {value}, but on invoice {number}, which the credit note corrects, it is {expected}"))
OVER_CREDITED = code("KOPA714", E, N_("the credit notes of invoice {number} come to {credited}, more than its total {total}"))
UNKNOWN_PILOT = code("KOPA715", E, N_("no pilot '{value}' in records/pilots/{hint}"))
SHARE_CHANGED = code("KOPA716", W, N_("invoice {number} bills {member} {total} for pilot {pilot}, fee year {year}, but the fee split now gives {share}: credit invoice {number} and issue the corrected share"))
TWO_LIVE_INVOICES = code("KOPA717", E, N_("{member} already has invoice {other} for pilot {pilot}, fee year {year}, not credited; a share is invoiced once"))
ENTRY_CHANGED = code("KOPA718", E, N_("invoice {number} differs from the last commit (git HEAD) in {keys}: issued invoices are never changed; restore the entry as it was committed (git show HEAD:{file} shows it) and correct it with a credit note (kopa invoice credit)"))
ENTRY_REMOVED = code("KOPA719", E, N_("invoice {number} of the last commit (git HEAD) is missing: issued invoices are never removed; restore it as it was committed (git show HEAD:{file} shows it) and correct it with a credit note (kopa invoice credit)"))
SHARE_GONE = code("KOPA720", W, N_("invoice {number} bills {member} {total} for pilot {pilot}, fee year {year}, but {member} no longer has a share of pilot {pilot} in fee year {year}: credit invoice {number}"))

# Area statistics (records/statistics/, written by `kopa stats import`)
UNKNOWN_AREA = code("KOPA801", W, N_("no organisation in records/organizations/ has the municipality code '{value}'; the pilot report shows no member with these figures"))
AGES_OVER_TOTAL = code("KOPA802", W, N_("the ages of {year} add up to {ages}, more than the area's total {total}"))
POPULATION_DIFFERS = code("KOPA803", W, N_("the population on 31.12.{year} is {value} here, but {figure} in the statistics {file} (table {table})"))
