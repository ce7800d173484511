from relwork_ls.bibliography.names import parse_name, parse_names, split_name_list


def test_split_at_and_outside_braces():
    assert split_name_list("A. Smith and {Barnes and Noble} AND C. Doe") == [
        "A. Smith",
        "{Barnes and Noble}",
        "C. Doe",
    ]


def test_first_von_last():
    name = parse_name("Aaron van den Oord")
    assert name.first == ("Aaron",) and name.von == ("van", "den") and name.last == ("Oord",)
    assert name.display_surname() == "van den Oord"


def test_comma_forms():
    name = parse_name("de Las Casas, Diego")
    assert name.von == ("de",) and name.last == ("Las", "Casas")
    jr = parse_name("Smith, Jr., John")
    assert jr.last == ("Smith",) and jr.jr == ("Jr.",) and jr.first == ("John",)


def test_hyphenated_surname_without_comma_is_kept_whole():
    # BibTeX: "Zeyuan Allen-Zhu" has surname "Allen-Zhu".
    assert parse_name("Zeyuan Allen-Zhu").display_surname() == "Allen-Zhu"
    assert parse_name("Jean-Pierre Dupont").display_surname() == "Dupont"


def test_braced_corporate_author_is_one_surname():
    (name,) = parse_names("{LangChain, Inc.}")
    assert name.display_surname() == "LangChain, Inc."
    assert parse_name("Mosaic ML").display_surname() == "ML"


def test_accent_in_special_char_decides_von():
    assert parse_name("{\\'E}mile Zola").last == ("Zola",)
    assert parse_name("Jean {\\'e}t{\\'e} Dupont").von == ("{\\'e}t{\\'e}",)


def test_others():
    names = parse_names("Xu, Can and others")
    assert names[1].is_others
