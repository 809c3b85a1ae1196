import shutil
import time

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from becoming.themes import (
    Embedder,
    ModelIntegrityError,
    assign,
    assign_many,
    discover,
    label_themes,
    match_themes,
)
from becoming.themes.embedder import default_model_path

BILLING = [
    "I was charged twice on my invoice this month",
    "my invoice shows the wrong amount",
    "why is my invoice higher than last month",
    "the invoice total does not match my plan price",
    "please send me a corrected invoice",
    "I need a refund for the duplicate invoice charge",
    "the invoice has a charge I do not recognise",
    "can I get a copy of last month's invoice",
    "my invoice was billed to the wrong credit card",
    "the invoice includes a late fee I already paid",
    "how do I download my invoice as a pdf",
    "the invoice lists a service I cancelled",
    "you overcharged me on the latest invoice",
    "the tax on my invoice looks wrong",
    "I never received my invoice by email",
    "the invoice due date is too soon",
    "my company name is wrong on the invoice",
    "the invoice charges me for extra users",
    "invoice payment failed but my card is fine",
    "who do I contact about an invoice dispute",
]
DELIVERY = [
    "my package delivery is late by a week",
    "the courier left the parcel at the wrong address",
    "the delivery tracking number does not work",
    "my order arrived damaged in the box",
    "when will my delivery arrive",
    "the delivery driver never showed up",
    "the parcel was marked delivered but I have nothing",
    "can I change the delivery address for my order",
    "the shipping is taking far too long",
    "half of my order is missing from the delivery",
    "the delivery window was missed again",
    "my parcel is stuck at the depot",
    "the box was left in the rain by the courier",
    "I want faster delivery options",
    "the delivery came to my neighbour instead",
    "tracking says the parcel is lost",
    "my delivery was returned to the sender",
    "the shipping label had the wrong postcode",
    "I was not home for the delivery, can it be rescheduled",
    "the courier was rude when delivering my parcel",
]
LOGIN = [
    "I cannot log in to the app",
    "the password reset email never arrives",
    "my account is locked after too many login attempts",
    "the app says my password is wrong but it is right",
    "two factor authentication code is not accepted",
    "I forgot my password and username",
    "login page keeps spinning forever",
    "the app logs me out every few minutes",
    "I can't sign in with my Google account",
    "how do I change my password",
    "the verification code expired before I could log in",
    "the app crashes when I press login",
    "my login session expires too quickly",
    "the reset password link is broken",
    "I get an error when signing in on my phone",
    "login works on the website but not in the app",
    "I lost access to my authentication app",
    "the password requirements are confusing",
    "my account login was blocked for security reasons",
    "sign in fails with an unknown error",
]
TEXTS = BILLING + DELIVERY + LOGIN
TRUTH = np.repeat([0, 1, 2], 20)


@pytest.fixture(scope="module")
def vectors(embedder):
    return embedder.embed(TEXTS)


def test_embeddings_shape_and_norm(embedder):
    x = embedder.embed(["hello there", "", "another one"])
    assert x.shape == (3, 384) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_paraphrases_closer_than_unrelated(embedder):
    a, b, c = embedder.embed(
        [
            "How do I reset my password?",
            "I forgot my password, how can I change it?",
            "The weather in Paris is lovely in spring.",
        ]
    )
    assert a @ b > 0.6
    assert a @ b > a @ c + 0.3


def test_batching_does_not_change_embeddings(embedder):
    texts = ["short", "a somewhat longer sentence about invoices and refunds", ""]
    together = embedder.embed(texts, batch_size=64)
    one_by_one = np.stack([embedder.embed_one(t) for t in texts])
    np.testing.assert_allclose(together, one_by_one, atol=1e-4)


def test_very_long_text_is_truncated_and_fast(embedder):
    long = "the delivery was late and the parcel was damaged " * 2100  # ~105,000 chars
    assert len(long) > 100_000
    t = time.perf_counter()
    x = embedder.embed([long])
    assert time.perf_counter() - t < 5
    assert x.shape == (1, 384) and np.isfinite(x).all()
    # only the first 256 word pieces count, as in sentence-transformers
    np.testing.assert_allclose(x[0], embedder.embed_one(long[:3000]), atol=1e-4)


def test_tampered_weights_fail_clearly(tmp_path):
    copy = tmp_path / "model.onnx"
    shutil.copy(default_model_path(), copy)
    with open(copy, "r+b") as fh:
        fh.seek(1_000_000)
        byte = fh.read(1)
        fh.seek(1_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelIntegrityError, match="sha256"):
        Embedder(model_path=copy)
    with pytest.raises(ModelIntegrityError, match="not found"):
        Embedder(model_path=tmp_path / "missing.onnx")


def test_discover_recovers_three_topics(vectors):
    found = discover(vectors, TEXTS, n_themes=3)
    assert len(found.themes) == 3
    assert normalized_mutual_info_score(TRUTH, found.labels) >= 0.8
    assert sorted(t.size for t in found.themes) == sorted(
        np.bincount(found.labels[found.labels >= 0])
    )
    words = {"invoice", "delivery", "parcel", "login", "password", "courier", "app"}
    for theme in found.themes:
        assert len(theme.key_phrases) <= 3
        assert words & set(" ".join(theme.key_phrases).split()), theme.label
        assert 1 <= len(theme.representatives) <= 5
        assert all(found.labels[r] == theme.index for r in theme.representatives)
        assert theme.centroid.shape == (384,)


def test_discover_automatic_and_granularity(vectors):
    auto = discover(vectors, TEXTS, granularity=0.0)
    assert 2 <= len(auto.themes) <= 8
    assert normalized_mutual_info_score(TRUTH, auto.labels) >= 0.6
    fine = discover(vectors, TEXTS, granularity=1.0)
    assert len(fine.themes) >= len(auto.themes)


def test_discover_edge_cases(embedder):
    assert discover(np.zeros((0, 384)), []).themes == []
    one = discover(embedder.embed(["only one"]), ["only one"], min_size=1)
    assert len(one.themes) == 1 and one.labels.tolist() == [0]


def test_assign_paraphrase_and_nonsense(embedder, vectors):
    found = discover(vectors, TEXTS, n_themes=3)
    topic_of = {found.labels[0]: "billing", found.labels[20]: "delivery", found.labels[40]: "login"}
    new = embedder.embed(
        [
            "there is an extra charge on my bill this month",
            "the courier lost my package",
            "I am unable to sign into my account",
            "zxqv blorp fnarg 8812 qwpl",
        ]
    )
    got = [assign(v, found.centroids) for v in new]
    assert [topic_of.get(g) for g in got[:3]] == ["billing", "delivery", "login"]
    assert got[3] == -1
    labels, sims = assign_many(new, found.centroids)
    assert labels.tolist() == got and sims.shape == (4,)


def test_match_themes_keeps_ids_on_shuffled_rediscovery(vectors):
    first = discover(vectors, TEXTS, n_themes=3)
    perm = np.random.default_rng(7).permutation(len(TEXTS))
    second = discover(vectors[perm], [TEXTS[i] for i in perm], n_themes=3)
    mapping = match_themes(first.centroids, second.centroids)
    assert len(mapping) == 3
    for new, old in mapping.items():
        new_members = set(perm[second.labels == new].tolist())
        old_members = set(np.flatnonzero(first.labels == old).tolist())
        assert len(new_members & old_members) >= 0.9 * max(len(new_members), len(old_members))
    # an unrelated theme is not matched
    assert match_themes(first.centroids[:1], -first.centroids[:1]) == {}
    assert match_themes(np.zeros((0, 384)), first.centroids) == {}


def test_label_themes_after_merge():
    texts = [
        "refund for my invoice",
        "invoice refund please",
        "parcel delivery late",
        "late delivery",
    ]
    merged = label_themes(texts, [0, 0, 0, 0], top=3)
    assert set(merged) == {0}
    assert any("invoice" in p or "delivery" in p for p in merged[0])
    split = label_themes(texts, [0, 0, 1, -1], top=2)
    assert set(split) == {0, 1}
    assert "invoice" in " ".join(split[0]) or "refund" in " ".join(split[0])
