"""« Ma collection » through the API: create, read, change with versions, delete and undo, search, filters."""

from __future__ import annotations


def test_a_goal_written_freely_is_kept_with_its_fields(bank):
    goal = bank.add(
        "Lire 20 mots fréquents en 1 minute",
        domain="lecture",
        tags=["#Fluidité", "étape-1"],
        criterion="20 mots en 1 minute",
    )
    assert goal["text"] == "Lire 20 mots fréquents en 1 minute"
    assert goal["domain"] == "lecture"
    assert goal["tags"] == ["fluidité", "étape-1"]
    assert goal["criterion"] == "20 mots en 1 minute"
    assert goal["source"] == {"kind": "own", "catalogue_id": None, "catalogue_version": None}
    assert goal["version"] == 1
    read = bank.get(f"/collection/goals/{goal['id']}")
    assert read.json() == goal
    assert read.headers["etag"] == '"1"'


def test_bad_fields_are_refused_each_under_its_name(bank):
    answer = bank.post(
        "/collection/goals", {"text": "   ", "domain": "astrologie", "tags": ["deux mots"], "language": "de"}
    )
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors["text"] == ["Écrivez l'objectif."]
    assert errors["domain"] == ["Domaine inconnu : « astrologie »."]
    assert "deux mots" in errors["tags"][0]
    assert errors["language"] == ["Langue inconnue : fr ou en."]


def test_messages_follow_accept_language(bank):
    answer = bank.post("/collection/goals", {"text": ""}, headers={"Accept-Language": "en-CA"})
    assert answer.json()["errors"]["text"] == ["Write the goal."]


def test_the_same_text_in_the_same_domain_is_the_same_goal(bank):
    first = bank.add("Écrire son prénom", domain="ecriture")
    again = bank.post("/collection/goals", {"text": "  écrire SON prénom ", "domain": "ecriture"})
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    tagged = bank.post("/collection/goals", {"text": "Écrire son prénom", "domain": "ecriture", "tags": ["x"]})
    assert tagged.status_code == 200
    assert (tagged.json()["tags"], tagged.json()["version"]) == (["x"], 2)  # the new tag is added, not lost
    elsewhere = bank.post("/collection/goals", {"text": "Écrire son prénom", "domain": "motricite"})
    assert elsewhere.status_code == 201
    assert len(bank.texts()) == 2


def test_a_repeated_idempotency_key_answers_the_first_goal(bank):
    first = bank.post("/collection/goals", {"text": "Compter jusqu'à 20"}, headers={"Idempotency-Key": "k-1"})
    again = bank.post("/collection/goals", {"text": "Compter jusqu'à 20"}, headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_copying_a_catalogue_goal_keeps_its_parts_and_source(bank):
    shipped = bank.get("/catalogue/goals", params={"domain": "lecture", "limit": 1}).json()["items"][0]
    answer = bank.post("/collection/goals", {"catalogue_id": shipped["id"], "tags": ["rentrée"]})
    assert answer.status_code == 201
    goal = answer.json()
    assert goal["text"] == shipped["text_fr"]
    assert goal["domain"] == "lecture"
    assert goal["criterion"] == shipped["parts_fr"]["criterion"]
    assert goal["source"]["kind"] == "catalogue"
    assert goal["source"]["catalogue_id"] == shipped["id"]
    assert goal["source"]["catalogue_version"] == shipped["catalogue_version"]
    english = bank.post("/collection/goals", {"catalogue_id": shipped["id"], "language": "en"}).json()
    assert english["text"] == shipped["text_en"] and english["language"] == "en"
    unknown = bank.post("/collection/goals", {"catalogue_id": "zzz-999"})
    assert unknown.status_code == 422 and "catalogue_id" in unknown.json()["errors"]


def test_a_change_needs_the_version_read(bank):
    goal = bank.add("Nommer 5 émotions")
    path = f"/collection/goals/{goal['id']}"
    missing = bank.patch(path, {"text": "Nommer 6 émotions"})
    assert missing.status_code == 428
    changed = bank.patch(path, {"text": "Nommer 6 émotions"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200
    assert changed.json()["version"] == 2 and changed.headers["etag"] == '"2"'
    stale = bank.patch(path, {"text": "Nommer 7 émotions"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert bank.get(path).json()["text"] == "Nommer 6 émotions"


def test_a_change_sends_only_what_changes_and_null_clears(bank):
    goal = bank.add("Nommer 5 émotions", domain="comportement", tags=["a"], measure="grille")
    path = f"/collection/goals/{goal['id']}"
    answer = bank.patch(path, {"measure": None, "tags": ["b"]}, headers={"If-Match": '"1"'})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["text"], body["domain"], body["tags"], body["measure"]) == (
        "Nommer 5 émotions", "comportement", ["b"], None
    )


def test_a_change_into_another_goal_of_the_collection_is_a_conflict(bank):
    bank.add("Lire 10 mots", domain="lecture")
    other = bank.add("Lire 12 mots", domain="lecture")
    answer = bank.patch(f"/collection/goals/{other['id']}", {"text": "lire 10 MOTS"}, headers={"If-Match": '"1"'})
    assert answer.status_code == 409
    assert answer.json()["errors"]["text"] == ["Cet objectif est déjà dans votre collection, dans ce domaine."]


def test_delete_then_undo_brings_the_goal_back_with_its_learners(bank, clock):
    learner = bank.post("/learners", {"first_name": "Léa"}).json()
    goal = bank.add("Demander de l'aide", learner_ids=[learner["id"]])
    path = f"/collection/goals/{goal['id']}"
    assert bank.delete(path).status_code == 428
    assert bank.delete(path, headers={"If-Match": '"1"'}).status_code == 204
    assert bank.get(path).status_code == 404
    assert bank.texts() == []
    assert bank.get(f"/learners/{learner['id']}/goals").json()["items"] == []
    clock.advance(minutes=5)
    restored = bank.post(f"{path}/restore")
    assert restored.status_code == 200
    assert restored.json()["learner_ids"] == [learner["id"]]
    assert bank.texts() == ["Demander de l'aide"]
    assert len(bank.get(f"/learners/{learner['id']}/goals").json()["items"]) == 1


def test_undo_is_offered_for_ten_minutes(bank, clock):
    goal = bank.add("Demander de l'aide")
    path = f"/collection/goals/{goal['id']}"
    bank.delete(path, headers={"If-Match": '"1"'})
    clock.advance(minutes=11)
    bank.add("Un autre objectif")  # any later deletion empties the bin
    other = bank.texts()
    assert bank.post(f"{path}/restore").status_code == 404
    assert other == ["Un autre objectif"]


def test_search_ignores_case_and_accents_and_matches_word_starts(bank):
    bank.add("L’élève écrit une phrase complète", tags=["écriture"])
    bank.add("Lire un texte de son niveau")
    bank.add("Relever les mots inconnus")
    assert bank.texts(q="eleve") == ["L’élève écrit une phrase complète"]
    assert bank.texts(q="ÉLÈVE") == bank.texts(q="eleve")
    assert bank.texts(q="ecri phr") == ["L’élève écrit une phrase complète"]
    assert bank.texts(q="leve") == []  # « leve » begins no word: « élève » and « Relever » do not count
    assert len(bank.texts(q="l")) == 3  # « L’élève », « Lire », « les »
    assert bank.texts(q="li") == ["Lire un texte de son niveau"]
    assert bank.texts(q="ecriture") == ["L’élève écrit une phrase complète"]  # the tag


def test_filters_by_domain_and_tag(bank):
    bank.add("Lire 10 mots", domain="lecture", tags=["étape-1"])
    bank.add("Écrire 10 mots", domain="ecriture", tags=["étape-1"])
    bank.add("Lire 20 mots", domain="lecture", tags=["étape-2"])
    bank.add("Étape 1 du projet", domain="lecture")  # the word in the text is not the tag
    assert sorted(bank.texts(domain="lecture")) == ["Lire 10 mots", "Lire 20 mots", "Étape 1 du projet"]
    assert sorted(bank.texts(tag="#étape-1")) == ["Lire 10 mots", "Écrire 10 mots"]
    assert bank.texts(tag="etape-1", domain="lecture") == ["Lire 10 mots"]


def test_pages_follow_the_order_goals_were_added(bank, clock):
    for number in range(7):
        bank.add(f"Objectif {number}")
        clock.advance(seconds=1)
    seen: list[str] = []
    cursor = None
    for _page in range(10):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = bank.get("/collection/goals", params=params).json()
        seen += [goal["text"] for goal in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [f"Objectif {number}" for number in range(7)]
    assert bank.get("/collection/goals", params={"cursor": "!!"}).status_code == 422


def test_the_summary_counts_goals_and_learners(bank):
    bank.add("Un")
    bank.add("Deux")
    bank.post("/learners", {"first_name": "Léa"})
    counts = bank.get("/me/summary").json()["counts"]
    assert (counts["goals"], counts["learners"]) == (2, 1)


def test_another_account_cannot_see_or_touch_my_goals(make_bank, bank):
    goal = bank.add("Mon objectif")
    intruder = make_bank("autre@example.org")
    path = f"/collection/goals/{goal['id']}"
    unknown = "0" * 32
    for answer, reference in (
        (intruder.get(path), intruder.get(f"/collection/goals/{unknown}")),
        (intruder.patch(path, {"text": "x"}, headers={"If-Match": '"1"'}),
         intruder.patch(f"/collection/goals/{unknown}", {"text": "x"}, headers={"If-Match": '"1"'})),
        (intruder.delete(path, headers={"If-Match": '"1"'}),
         intruder.delete(f"/collection/goals/{unknown}", headers={"If-Match": '"1"'})),
        (intruder.post(f"{path}/restore"), intruder.post(f"/collection/goals/{unknown}/restore")),
    ):
        assert answer.status_code == 404
        assert answer.json() == reference.json()
    assert intruder.texts() == []
    assert intruder.texts(q="objectif") == []
    same_text = intruder.post("/collection/goals", {"text": "Mon objectif"})
    assert same_text.status_code == 201  # nothing reveals that another account has it
    assert bank.get(path).json()["text"] == "Mon objectif"
