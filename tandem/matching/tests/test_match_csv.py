"""`tandem match_csv`: offline linking of two files, or deduplication of one."""

import csv
import json
import re

import pytest
from django.core.management import CommandError, call_command

from tandem.matching.core import MatchModel
from tandem.matching.tests.synthetic_people import population

HEADER = "id,given_name,middle_name,surname,date_of_birth,sex,street,city,postcode,state\n"
EXISTING = HEADER + (
    "e1,William,,Harper,1978-03-04,m,12 Pine St,Seattle,98101,WA\n"
    "e2,Margaret,,O'Connell,1965-11-23,f,4 Alder Ave,Seattle,98104,WA\n"
    "e3,Francisco,,Garcia-Lopez,1990-07-15,m,77 Rainier Ave,Seattle,98122,WA\n"
    "e4,Tanya,,Harper,1981-06-30,f,12 Pine St,Seattle,98101,WA\n"
    "e5,Luis,,Fernandez,1959-12-01,m,3 Beacon Ave,Seattle,98144,WA\n"
)
INCOMING = HEADER + (
    "i1,Bill,,Harper,1978-04-03,m,12 Pine Street,Seattle,98101,WA\n"
    "i2,Peggy,,OConnell,,f,4 Alder Ave,Seattle,98104,WA\n"
    "i3,Paco,,Lopez,1990-07-15,m,77 Rainier Ave,Seattle,98122,WA\n"
    "i4,Kevin,,Harper,2001-02-17,m,12 Pine St,Seattle,98101,WA\n"
)


@pytest.fixture
def files(tmp_path):
    existing = tmp_path / "existing.csv"
    existing.write_text(EXISTING, encoding="utf-8")
    incoming = tmp_path / "incoming.csv"
    incoming.write_text(INCOMING, encoding="utf-8")
    return existing, incoming, tmp_path / "links.csv"


def read_links(path):
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_it_links_two_files_and_says_what_it_found(files, capsys):
    existing, incoming, out = files

    call_command(
        "match_csv",
        "--existing",
        existing,
        "--incoming",
        incoming,
        "--out",
        out,
        "--threshold",
        "0.3",
        "--model",
        write_default_model(out.parent),
    )

    rows = read_links(out)
    assert list(rows[0]) == ["incoming_id", "existing_id", "probability", "band", "explanation"]
    assert {(r["incoming_id"], r["existing_id"]) for r in rows} == {
        ("i1", "e1"),
        ("i2", "e2"),
        ("i3", "e3"),
    }
    assert all(len(r["probability"].split(".")[1]) == 4 for r in rows)
    probabilities = [float(r["probability"]) for r in rows]
    assert probabilities == sorted(probabilities, reverse=True)
    by_incoming = {r["incoming_id"]: r for r in rows}
    assert "day and month of birth swapped" in by_incoming["i1"]["explanation"]
    summary = capsys.readouterr().out
    assert summary == f"6 candidate pairs compared: 3 links, 0 to review; written to {out}\n"


def write_default_model(folder):
    path = folder / "default-model.json"
    path.write_text(json.dumps(MatchModel.default().to_dict()), encoding="utf-8")
    return path


def write_people(path, records):
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER.strip().split(","))
        for r in records:
            dob = r.dob.isoformat() if r.dob else ""
            writer.writerow(
                [
                    r.id,
                    r.given_name,
                    "",
                    r.surname,
                    dob,
                    r.sex,
                    r.street,
                    r.city,
                    r.postcode,
                    r.state,
                ]
            )
    return path


def test_without_a_model_it_estimates_one_from_the_files_and_can_save_it(tmp_path, capsys):
    known, new = population(people=400, duplicates=100, seed=5)
    existing = write_people(tmp_path / "existing.csv", known)
    incoming = write_people(tmp_path / "incoming.csv", new)
    out, saved = tmp_path / "links.csv", tmp_path / "model.json"

    call_command(
        "match_csv",
        "--existing",
        existing,
        "--incoming",
        incoming,
        "--out",
        out,
        "--save-model",
        saved,
    )

    model = MatchModel.from_dict(json.loads(saved.read_text(encoding="utf-8")))
    assert model.training["method"] == "em+random-u"
    rows = read_links(out)
    linked = [r for r in rows if r["band"] == "link"]
    true = [r for r in linked if r["incoming_id"] == "d" + r["existing_id"][1:]]
    assert len(true) >= 90
    assert len(true) / len(linked) >= 0.97
    summary = capsys.readouterr().out
    expected = rf"\d+ candidate pairs compared: {len(linked)} links, \d+ to review; written to "
    assert re.fullmatch(expected + re.escape(str(out)) + "\n", summary)


def test_with_small_files_it_uses_the_hand_set_model(files, capsys):
    existing, incoming, out = files
    saved = out.parent / "model.json"

    call_command(
        "match_csv",
        "--existing",
        existing,
        "--incoming",
        incoming,
        "--out",
        out,
        "--save-model",
        saved,
    )

    model = json.loads(saved.read_text(encoding="utf-8"))
    assert model["training"]["method"] == "default"
    assert capsys.readouterr().out.endswith(
        "(hand-set weights: too few pairs to estimate them from the files)\n"
    )
    assert {(r["incoming_id"], r["existing_id"]) for r in read_links(out)} <= {
        ("i1", "e1"),
        ("i2", "e2"),
        ("i3", "e3"),
    }


def test_with_existing_alone_it_finds_duplicates(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text(
        EXISTING + "d1,Bill,,Harper,1978-03-04,m,12 Pine St,Seattle,98101,WA\n", encoding="utf-8"
    )
    out = tmp_path / "dupes.csv"

    call_command(
        "match_csv",
        "--existing",
        people,
        "--out",
        out,
        "--model",
        write_default_model(tmp_path),
    )

    rows = read_links(out)
    assert [(r["incoming_id"], r["existing_id"], r["band"]) for r in rows] == [("e1", "d1", "link")]


def test_every_problem_of_both_files_is_reported_and_nothing_written(files):
    existing, incoming, out = files
    existing.write_text(
        HEADER + "e1,Ana,,Ruiz,1980-13-01,,,,,\ne1,Bo,,Lee,,,,,,\n", encoding="utf-8"
    )
    incoming.write_bytes(HEADER.encode() + b"i1,Jos\xe9,,Lee,,,,,,\n")

    with pytest.raises(CommandError) as caught:
        call_command(
            "match_csv",
            "--existing",
            existing,
            "--incoming",
            incoming,
            "--out",
            out,
            "--save-model",
            out.parent / "model.json",
        )

    message = str(caught.value)
    assert f"--existing {existing}: row 2: date_of_birth: '1980-13-01' is not a date" in message
    assert f"--existing {existing}: row 3: id 'e1' is used again (first on row 2)" in message
    assert f"--incoming {incoming}: row 2: not UTF-8 text" in message
    assert sorted(p.name for p in out.parent.iterdir()) == ["existing.csv", "incoming.csv"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file is empty"),
        (HEADER, "no data rows"),
        ("id,surname\ne1,Ruiz\n", "missing columns given_name"),
    ],
)
def test_an_unusable_file_writes_nothing(files, content, expected):
    existing, _, out = files
    existing.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=expected):
        call_command("match_csv", "--existing", existing, "--out", out)

    assert not out.exists()


def test_a_file_that_does_not_exist_is_reported(files):
    _, incoming, out = files

    with pytest.raises(CommandError, match="cannot read the file"):
        call_command(
            "match_csv", "--existing", out.parent / "nope.csv", "--incoming", incoming, "--out", out
        )

    assert not out.exists()


@pytest.mark.parametrize("threshold", ["0", "1", "1.5", "-0.2"])
def test_a_threshold_outside_zero_and_one_is_refused(files, threshold):
    existing, _, out = files

    with pytest.raises(CommandError, match="--threshold must lie between 0 and 1"):
        call_command("match_csv", "--existing", existing, "--out", out, "--threshold", threshold)

    assert not out.exists()


def test_a_broken_model_file_is_refused(files):
    existing, incoming, out = files
    model = out.parent / "model.json"
    model.write_text('{"format": "tandem.matching.model", "version": 7}', encoding="utf-8")

    with pytest.raises(CommandError, match="version 7 is not supported"):
        call_command(
            "match_csv",
            "--existing",
            existing,
            "--incoming",
            incoming,
            "--out",
            out,
            "--model",
            model,
        )

    assert not out.exists()


def test_an_output_folder_that_does_not_exist_is_refused(files):
    existing, _, out = files

    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "match_csv", "--existing", existing, "--out", out.parent / "absent" / "links.csv"
        )


@pytest.mark.django_db
def test_with_a_site_it_uses_that_sites_trained_model(files, site_a, monkeypatch):
    from tandem.matching import services
    from tandem.matching.models import SiteMatchModel

    existing, incoming, out = files
    model = MatchModel.default().to_dict()
    model["link_at"] = 0.999999  # so that only the site's model explains the bands written
    SiteMatchModel.objects.create(site=site_a, version=1, parameters=model, trained_on=500)
    monkeypatch.setattr(services, "_MODELS", {})

    saved = out.parent / "used.json"
    call_command(
        "match_csv",
        "--existing",
        existing,
        "--incoming",
        incoming,
        "--out",
        out,
        "--site",
        "site-a",
        "--save-model",
        saved,
    )

    assert json.loads(saved.read_text(encoding="utf-8"))["link_at"] == 0.999999
    assert all(
        row["band"] != "link" or float(row["probability"]) >= 0.999999 for row in read_links(out)
    )


@pytest.mark.django_db
def test_an_unknown_site_is_refused_and_nothing_is_written(files):
    existing, _, out = files

    with pytest.raises(CommandError, match="no site has this slug"):
        call_command("match_csv", "--existing", existing, "--out", out, "--site", "nowhere")

    assert not out.exists()


def test_ids_that_a_spreadsheet_would_run_are_escaped(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text(
        HEADER
        + "=HYPERLINK(1),William,,Harper,1978-03-04,m,12 Pine St,Seattle,98101,WA\n"
        + "@two,Bill,,Harper,1978-03-04,m,12 Pine St,Seattle,98101,WA\n",
        encoding="utf-8",
    )
    out = tmp_path / "dupes.csv"

    call_command(
        "match_csv", "--existing", people, "--out", out, "--model", write_default_model(tmp_path)
    )

    [row] = read_links(out)
    assert {row["incoming_id"], row["existing_id"]} == {"'=HYPERLINK(1)", "'@two"}
