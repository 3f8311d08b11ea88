"""Credited outlets: attribution cues in several languages, and the "not a credit" cases."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from archiver.urls import registrable_domain


def names(refs) -> list[str]:
    return [m.name for m in refs.mentions if not m.unnamed]


@pytest.mark.parametrize("sentence,expected", [
    ("The ministry confirmed the figures, according to Reuters.", "Reuters"),
    ("The mayor told the Associated Press that the vote was delayed.", "Associated Press"),
    ("The Guardian reported on Monday that the talks had failed.", "The Guardian"),
    ("Officials were quoted by The New York Times as saying the plan was final.", "The New York Times"),
    ("Missiles were hurled from the crowd, Plymouth Live reports.", "Plymouth Live"),
    ("Up to 39 demonstrations were planned, reports the Express.", "Daily Express"),
    ("The chairwoman told Times Radio: “We are stretched.”", "Times Radio"),
    ("In a New York Times op-ed she explained her decision.", "The New York Times"),
    ("The film is delayed, Deadline reports.", "Deadline"),
    ("WASHINGTON (AP) — The Senate passed the bill on Friday.", "Associated Press"),
    ("BERLIN (Reuters) - German output fell in March.", "Reuters"),
    ("Der Bundestag stimmte am Freitag zu. (FR mit dpa)", "Deutsche Presse-Agentur"),
    ("Laut Spiegel will die Regierung das Gesetz ändern.", "Der Spiegel"),
    ("Wie die britische Zeitung „The Sun“ berichtete, ist sie umgezogen.", "The Sun"),
    ("Gegenüber dem Redaktionsnetzwerk Deutschland sagte er, der Plan sei falsch.", "Redaktionsnetzwerk Deutschland"),
    ("Selon Le Monde, le gouvernement prépare une réforme.", "Le Monde"),
    ("La réforme sera votée en mai, a rapporté l'AFP jeudi.", "Agence France-Presse"),
    ("Según El País, el Gobierno aprobará la medida.", "El País"),
    ("El acuerdo se firmó ayer, informó EFE.", "Agencia EFE"),
    ("Jak podaje agencja prasowa IRNA, Teheran nie weźmie udziału w rozmowach.", "Islamic Republic News Agency"),
    ("The lab results were found via The Guardian, The Times, and other sources.", "The Times"),
])
def test_attributions(run, sentence, expected):
    refs = run(f"<p>{sentence}</p>")
    assert expected in names(refs)


def test_list_shares_the_cue(run):
    refs = run("<p>He will write and direct it, according to reports from The Wrap and Deadline.</p>")
    assert names(refs) == ["TheWrap", "Deadline"]


def test_mention_fields(run):
    refs = run('<p>The plan was dropped, according to <a href="https://www.reuters.com/world/x">Reuters</a>.</p>')
    m = [m for m in refs.mentions if m.name == "Reuters"][0]
    assert m.surface == "Reuters" and m.domain == "reuters.com" and m.cue == "according to"
    assert m.linked is True and m.in_body
    assert m.sentence == "The plan was dropped, according to Reuters."


def test_one_mention_per_outlet_and_sentence(run):
    refs = run("<p>According to Reuters, Reuters staff said the plan, which Reuters reported, was final.</p>")
    assert names(refs) == ["Reuters"]


@pytest.mark.parametrize("sentence", [
    "The protest ended outside the Holiday Inn Express on Monday, police said.",
    "Crowds gathered in Times Square on Sunday, according to police.",
    "A fire broke out (Photo: Reuters) near the station.",
    "Troops entered the town. AFP via Getty Images",
    "Image copyright Reuters. The minister resigned on Tuesday.",
    "Daily puzzles including the New York Times Crossword, said the editors.",
    "Electronic Express via Rakuten is offering the tablet for $799.",
    "The Guardian is a newspaper founded in Manchester.",  # named, but not credited
])
def test_not_credits(run, sentence):
    assert names(run(f"<p>{sentence}</p>")) == []


def test_self_citation_is_not_a_credit(run):
    refs = run("<p>Sources told CNN the meeting had been cancelled. (CNN) The talks resume today.</p>",
               url="https://edition.cnn.com/2025/03/16/politics/story.html")
    assert names(refs) == []
    other = run("<p>Sources told CNN the meeting had been cancelled.</p>")
    assert names(other) == ["CNN"]


def test_self_citation_by_site_name(run):
    head = '<meta property="og:site_name" content="Reuters">'
    refs = run("<p>The figures were confirmed, according to Reuters.</p>", url="https://news.example.com/a", head=head)
    assert names(refs) == []


def test_photo_caption_text_is_ignored(run):
    refs = run('<figure><img src="a.jpg"><figcaption>A soldier walks, according to AP. (AP Photo/Jane Doe)'
               '</figcaption></figure><p>Nothing credited here at all.</p>')
    assert names(refs) == []


def test_unnamed_sources_go_to_their_own_key(run):
    refs = run("<p>“It is not up to Russia,” he said in remarks quoted by several French newspapers.</p>")
    unnamed = [m for m in refs.mentions if m.unnamed]
    assert len(unnamed) == 1 and unnamed[0].name is None
    assert unnamed[0].surface == "several French newspapers"
    data = refs.to_json()
    assert data["mentions"] == [] and data["unnamed_sources"][0]["surface"] == "several French newspapers"


def test_gazetteer_is_well_formed():
    data = json.loads(resources.files("archiver.extract").joinpath("data/outlets.json").read_text("utf-8"))
    assert len(data) >= 300
    names_ = [e["name"] for e in data]
    assert len(names_) == len(set(names_))
    for entry in data:
        assert entry["domain"] and registrable_domain(entry["domain"]) and "/" not in entry["domain"]
        assert entry["country"] and entry["language"]
    by_name = {e["name"]: e for e in data}
    assert "AP" in by_name["Associated Press"]["aliases"]
    assert "dpa" in by_name["Deutsche Presse-Agentur"]["aliases"]
    assert "NYT" in by_name["The New York Times"]["aliases"]
    assert by_name["Agencia EFE"]["aliases"] == ["EFE"]


def test_linked_means_a_link_to_the_outlet_in_the_same_sentence(run):
    refs = run('<p>The talks stalled, <a href="https://www.reuters.com/world/talks-2025-03-16/">according to '
               'Reuters</a>. Officials later told the Associated Press that a new round was planned. '
               'More at <a href="https://apnews.com/hub/ukraine">the hub</a>.</p>')
    by_name = {m.name: m for m in refs.mentions}
    assert by_name["Reuters"].linked is True
    # the AP link sits in the next sentence of the same paragraph: not a linked credit
    assert by_name["Associated Press"].linked is False
