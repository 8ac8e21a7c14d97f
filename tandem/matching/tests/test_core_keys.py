"""Blocking keys bring twins together; search keys work from part of a record."""

from hypothesis import given
from hypothesis import strategies as st

from tandem.matching.core import MatchRecord, PartialDate, blocking_keys, prepare, search_keys
from tandem.matching.core.prepared import MAX_KEY_LENGTH


def keys(**fields):
    return blocking_keys(prepare(MatchRecord(id="x", **fields)))


def all_keys(**fields):
    prepared = prepare(MatchRecord(id="x", **fields))
    return blocking_keys(prepared) | search_keys(prepared)


def query_keys(**fields):
    return all_keys(**fields)


MARIA = {
    "given_name": "Maria",
    "surname": "Gonzalez",
    "dob": PartialDate(1984, 7, 2),
    "postcode": "98101",
    "identifiers": ("booking:B-22731",),
}


def test_a_twin_with_day_and_month_swapped_shares_a_key():
    twin = {**MARIA, "dob": PartialDate(1984, 2, 7), "postcode": "", "identifiers": ()}
    assert keys(**MARIA) & keys(**twin)


def test_a_nickname_twin_without_date_of_birth_shares_a_key():
    assert keys(given_name="William", surname="Smith", dob=PartialDate(1970, 1, 5)) & keys(
        given_name="Bill", surname="Smith"
    )


def test_a_twin_with_given_name_and_surname_swapped_shares_a_key():
    assert keys(**MARIA) & keys(given_name="Gonzalez", surname="Marai", dob=PartialDate(1984, 7, 2))


def test_a_twin_known_by_an_alias_shares_a_key():
    known = {**MARIA, "other_names": (("Mari", "Flores"),), "postcode": "", "identifiers": ()}
    assert keys(**known) & keys(given_name="Mari", surname="Flores")


def test_unrelated_people_share_no_key():
    other = {
        "given_name": "Peter",
        "surname": "Okafor",
        "dob": PartialDate(1990, 11, 23),
        "postcode": "98115",
        "identifiers": ("booking:B-40017",),
    }
    assert not keys(**MARIA) & keys(**other)


def test_a_person_has_a_handful_of_short_keys():
    found = keys(**MARIA)
    assert 4 <= len(found) <= 12
    assert all(len(k) <= MAX_KEY_LENGTH for k in found)


def test_a_surname_only_search_finds_sound_alike_surnames_and_aliases():
    query = query_keys(surname="Gonzales")
    assert query & all_keys(**MARIA)
    assert query & all_keys(given_name="Ana", surname="Gonzalez-Ruiz")
    assert query & all_keys(given_name="Ana", surname="Ruiz", other_names=(("Ana", "Gonzalez"),))
    assert not query & all_keys(given_name="Ana", surname="Okafor")


def test_a_given_name_only_search_finds_nickname_twins():
    query = query_keys(given_name="Paco", dob=PartialDate(1984))
    assert query & all_keys(given_name="Francisco", surname="Ruiz", dob=PartialDate(1984, 3, 9))
    assert query & all_keys(given_name="Frank", surname="Lee")
    assert not query & all_keys(given_name="Peter", surname="Lee")


def test_an_identifier_only_search_finds_the_person():
    assert query_keys(identifiers=("booking:B-22731",)) & all_keys(**MARIA)


@given(
    given_name=st.text(max_size=80),
    surname=st.text(max_size=80),
    postcode=st.text(max_size=80),
    identifier=st.text(min_size=1, max_size=80),
)
def test_keys_never_exceed_the_column_width(given_name, surname, postcode, identifier):
    record = MatchRecord(
        id="x",
        given_name=given_name,
        surname=surname,
        postcode=postcode,
        dob=PartialDate(1999, 12, 31),
        identifiers=(identifier,),
        other_names=((surname, given_name),),
    )
    prepared = prepare(record)
    assert all(len(k) <= MAX_KEY_LENGTH for k in blocking_keys(prepared) | search_keys(prepared))


def test_a_twin_with_one_part_of_a_compound_surname_shares_a_key():
    assert keys(
        given_name="Francisco", surname="Garcia-Lopez", dob=PartialDate(1990, 7, 15)
    ) & keys(given_name="Paco", surname="Lopez", dob=PartialDate(1990, 7, 16))


def test_a_twin_with_a_new_surname_and_no_date_of_birth_shares_an_address_key():
    known = {"given_name": "Seth", "surname": "Sherriff", "dob": PartialDate(1932, 3, 10)}
    assert keys(**known, street="1329 Bean Crescent") & keys(
        given_name="Seth", surname="Donaldson", street="1329 bean cresent"
    )
    assert not keys(**known, street="Bean Crescent") & keys(
        given_name="Seth", surname="Donaldson", street="bean crescent"
    )
