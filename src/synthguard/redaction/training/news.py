"""News-like sentences: officials, companies, cities and countries in reported speech."""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

SENTENCES = (
    "{person}, the chief executive of {org}, said on {date} that profits had fallen. ",
    "\"We will not give up,\" {person} told reporters in {city}. ",
    "{org} shares rose 3 percent after {person} announced the deal. ",
    "The minister, {person}, met {person} in {city} {vague}. ",
    "Police in {city} said a {age}-year-old man had been arrested. ",
    "{person} won the race in {city}, ahead of {person} of {country}. ",
    "According to {org}, the talks between {country} and {country} will resume in {date}. ",
    "{last} said the government would appeal. ",
    "Speaking in {city}, {last} praised {person} for the reforms. ",
    "{person}, {age}, was named coach of {org}. ",
    "The report by {org} was led by {hperson}. ",
    "Officials in {state} confirmed the storm killed three people. ",
    "{person} and {person} signed the agreement at {org}. ",
    "The {nrp} delegation, led by {person}, arrived in {country}. ",
    "{common}, analysts at {org} expect rates to stay high. ",
    "{last}'s lawyer, {person}, declined to comment. ",
    "Last year {org} moved its headquarters from {city} to {city}. ",
    "Residents of {city} have complained about the noise every night since the summer. ",
    "The company, based in {city}, employs about 2,000 people. ",
    "In a statement, {first} {last} thanked supporters. ",
    "Opposition leader {person} called the budget \"a disgrace\". ",
    "{person} scored twice as {org} beat {org} 3-1 on Saturday. ",
    "The novel by {person} tells the story of a family in {city}. ",
    "Prosecutors say {person} and his brother {first} ran the scheme from {city}. ",
    "{org} appointed {person} as chairman, replacing {person}. ",
    "\"It was a difficult year,\" said {last}, who joined {org} in {date}. ",
    "A spokesman for {person} did not respond to a request for comment. ",
    "The film, directed by {person}, opens in {country} next week. ",
    "Voters in {state} backed {last} by a wide margin. ",
    "{person}, a {age}-year-old teacher from {city}, was among the victims. ",
    "President {last} will visit {country} and {country} this month. ",
    "Former champion {person} retired at the age of {age}. ",
    "The deal values {org} at $4 billion, people familiar with the matter told {org}. ",
    "Both {last} and {last} denied wrongdoing. ",
    "{person} ({org}) finished third behind {person} and {person}. ",
    "Thousands marched through {city} on {date} to protest the new law. ",
)


def generate(b: DocBuilder) -> None:
    if b.rng.random() < 0.3:
        b.fill("{city}, {date} - ")
    for _ in range(b.rng.randint(2, 5)):
        b.pick_fill(SENTENCES)
