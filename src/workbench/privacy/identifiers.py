"""Personal identifiers: which columns name or number a person, and :func:`drop_identifiers`."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

__all__ = ["IDENTIFIER_COLUMNS", "drop_identifiers"]

#: Personal identifier columns removed by :func:`drop_identifiers`. Names are compared after
#: normalising (lower case, camelCase split, spaces/hyphens/dots to ``_``), so ``Officer ID``,
#: ``officerId`` and ``OFFICER-ID`` all match ``officer_id``. A column is also an identifier
#: when a person role prefixes a personal field (``victim_name``, ``suspect_dob``,
#: ``caller_phone``; see ``_PERSON_ROLES`` and ``_PERSONAL_FIELDS``), but not when a thing
#: does (``division_name`` and ``offence_name`` are kept).
# fmt: off
IDENTIFIER_COLUMNS: frozenset[str] = frozenset(
    {
        # officers and staff
        "officer_id", "officerid", "officer_number", "officer_no", "badge", "badge_id",
        "badge_number", "badge_no", "badge_num", "badgeno", "badge_nbr", "report_officer",
        "reporting_officer", "reportofficer", "arresting_officer", "employee_id",
        "employeeid", "emp_id", "empid", "employee_number", "employee_no", "employee_num",
        "staff_id", "staff_number", "payroll_id", "payroll_number",
        # names
        "name", "full_name", "fullname", "first_name", "firstname", "given_name",
        "givenname", "forename", "last_name", "lastname", "surname", "family_name",
        "familyname", "middle_name", "middlename", "maiden_name", "alias", "nickname",
        # birth
        "date_of_birth", "dateofbirth", "dob", "birth_date", "birthdate", "birthday",
        # addresses
        "address", "street", "street_address", "streetaddress", "home_address",
        "homeaddress", "residential_address", "mailing_address", "address_line_1",
        "address_line1", "address1", "address_line_2", "address_line2", "address2",
        "street_name", "street_number", "house_number", "apartment", "unit_number",
        "postal_code", "postalcode", "postcode", "zip", "zip_code", "zipcode",
        # contact
        "phone", "phone_number", "phonenumber", "phone_no", "telephone", "telephone_number",
        "tel", "mobile", "mobile_number", "cell", "cell_phone", "cellphone", "fax", "email",
        "e_mail", "email_address", "emailaddress", "ip_address",
        # people in the record
        "subject_id", "subjectid", "person_id", "personid", "individual_id", "victim_id",
        "suspect_id", "accused_id", "complainant_id", "witness_id", "offender_id",
        "client_id",
        # government and other personal numbers
        "sin", "social_insurance_number", "ssn", "health_card", "health_card_number",
        "ohip", "ohip_number", "driver_licence", "drivers_licence", "driver_license",
        "drivers_license", "licence_number", "license_number", "passport",
        "passport_number", "licence_plate", "license_plate", "plate", "plate_number", "vin",
    }
)

_PERSON_ROLES = (
    "officer", "reporting_officer", "report_officer", "arresting_officer", "employee",
    "subject", "person", "victim", "suspect", "accused", "offender", "complainant",
    "witness", "caller", "driver", "owner", "parent", "guardian", "contact", "client",
)
_PERSONAL_FIELDS = (
    "name", "full_name", "first_name", "given_name", "last_name", "surname", "family_name",
    "middle_name", "dob", "date_of_birth", "birth_date", "birthdate", "address",
    "home_address", "street", "phone", "phone_number", "telephone", "mobile", "email",
    "email_address", "id", "badge", "badge_number", "postal_code",
)
# fmt: on


def _normalised_column_name(name: object) -> str:
    """Lower-case ``name`` with camelCase split and separators as single underscores."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name).strip())
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    text = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    return text


def _is_identifier(normalised: str, extra: frozenset[str]) -> bool:
    """Whether a normalised column name is a personal identifier."""
    squashed = normalised.replace("_", "")
    listed = IDENTIFIER_COLUMNS | extra
    if normalised in listed or squashed in {name.replace("_", "") for name in listed}:
        return True
    for role in _PERSON_ROLES:
        if normalised.startswith(role + "_"):
            field = normalised[len(role) + 1 :]
            if field in _PERSONAL_FIELDS or field.replace("_", "") in {
                f.replace("_", "") for f in _PERSONAL_FIELDS
            }:
                return True
    return False


def drop_identifiers(
    frame: pd.DataFrame, *, extra: Iterable[str] = ()
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Return ``frame`` without personal identifier columns, and the names removed.

    A column is removed when its name, normalised (case-insensitive; camelCase, spaces,
    hyphens and dots count as word breaks), is one of :data:`IDENTIFIER_COLUMNS` or of
    ``extra``, ignoring underscores (``FirstName``, ``first name``, ``FIRST_NAME`` and
    ``firstname`` all match), or is a person role followed by a personal field
    (``victim_name``, ``Suspect DOB``, ``callerPhone``, ``officer_badge_number``). Names of
    things (``division_name``, ``offence_name``) are kept. Free text can still hold names:
    leave narrative columns out of public outputs altogether.

    The input is not modified; the names are returned in the frame's column order.
    """
    extras = frozenset(_normalised_column_name(name) for name in extra)
    removed = tuple(
        str(name) for name in frame.columns if _is_identifier(_normalised_column_name(name), extras)
    )
    kept = [name for name in frame.columns if str(name) not in removed]
    return frame.loc[:, kept].copy(), removed
