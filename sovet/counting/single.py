"""Single-winner methods: instant runoff, plurality, approval and Schulze (beatpath).

Each counts a `Profile` exactly and returns a `Result` with its rounds. Withdrawn candidates are
skipped as if absent from every ballot. A tie that a method's own rule cannot settle is decided by
lot (`ties.draw`), seeded from the profile unless a seed is given; every draw is in the result.

Rules, where the statutes and the literature leave a choice:

- Instant runoff fills one seat (a profile with more seats is refused: that is STV's job). Each
  round the continuing candidate with more than half of the continuing (not exhausted) votes is
  elected, and so is the last continuing candidate; otherwise the candidate with the fewest votes
  is excluded and its ballots pass to their next continuing preference, or exhaust. Candidates
  tied for fewest are told apart by looking back: at the most recent earlier round where their
  votes differed, those with the fewest stay in the tie, and so on back to the first round; any
  tie left is decided by lot.
- Plurality counts first preferences; with k seats the k highest are elected (the single
  non-transferable vote: each ballot still counts once, for its first preference only).
- Approval counts every candidate a ballot ranks as approved by it; the k highest are elected.
  For both, a tie across the last seat is decided by lot; tied candidates who are all elected are
  listed in candidate order.
- Schulze is the beatpath method of Schulze (2011, "A new monotonic, clone-independent, reversal
  symmetric, and Condorcet-consistent single-winner election method"). A ballot prefers every
  candidate it ranks to every one it leaves unranked, and leaves the unranked tied. The strength
  of a link is measured by winning votes as the paper recommends: more support is stronger and,
  at equal support, less opposition is stronger (the paper's ">win"); `measure="margins"` uses
  margins instead. Several potential winners (the paper's tie) are decided by lot rather than by
  the paper's Tie-Breaking Ranking of Candidates, which itself draws ballots at random.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from sovet.counting.parcels import Parcels
from sovet.counting.profile import Profile, ProfileError
from sovet.counting.result import Result, Round, TieBreak
from sovet.counting.ties import draw, profile_seed

__all__ = ["SchulzeResult", "approval", "irv", "plurality", "schulze"]

Measure = Literal["winning_votes", "margins"]
# A link or path strength as (support, opposition) of its weakest link; None where there is none.
Link = tuple[int, int] | None


def irv(profile: Profile, *, seed: int | None = None) -> Result:
    """Count a single-seat profile by instant runoff."""
    if profile.seats != 1:
        raise ProfileError(
            f"instant runoff fills one seat, not {profile.seats}; use an STV method for more"
        )
    continuing = set(profile.continuing)
    if not continuing:
        raise ProfileError("every candidate has withdrawn: nobody to elect")
    # Each distinct ranking is a parcel on the pile of its current preference; an exclusion
    # moves only the excluded candidate's pile, so work grows with transfers, not with ballots
    # times rounds.
    parcels = Parcels(profile)
    held = parcels.papers_held(np.arange(parcels.papers.size)).tolist()
    totals: dict[int, int] = {c: held[c] for c in sorted(continuing)}
    valid = parcels.valid
    exhausted = 0
    history: list[dict[int, int]] = []
    rounds: list[Round] = []
    tie_breaks: list[TieBreak] = []
    elected: list[int] = []
    subject: int | None = None
    transfers: dict[int, int] = {}
    names = profile.candidates
    while True:
        number_ = len(rounds) + 1
        history.append(dict(totals))
        current = sum(totals.values())
        leader = max(sorted(totals), key=totals.__getitem__)
        round_ = Round(
            number=number_,
            action="first preferences" if subject is None else "exclusion",
            quota=None,
            votes={c: Fraction(totals[c]) for c in sorted(totals)},
            transfers={c: Fraction(v) for c, v in sorted(transfers.items())},
            exhausted=Fraction(exhausted),
            subject=subject,
        )
        rounds.append(round_)
        if len(totals) == 1 or 2 * totals[leader] > current:
            elected.append(leader)
            round_.elected = [leader]
            round_.note = (
                f"{names[leader]} is the last continuing candidate"
                if len(totals) == 1
                else f"{names[leader]} has {totals[leader]} of {current} continuing votes, "
                "more than half"
            )
            break
        loser, why, tie = _lowest(totals, history, profile, seed=seed, round=number_)
        if tie is not None:
            tie_breaks.append(tie)
        round_.excluded = [loser]
        round_.note = f"{names[loser]} is excluded: {why}"
        transfers = {loser: -totals[loser]}
        del totals[loser]
        continuing.discard(loser)
        pile = parcels.pile(loser)
        parcels.advance(pile, [c in continuing for c in range(parcels.end)])
        gained = parcels.papers_held(pile).tolist()
        exhausted += gained[parcels.end]
        for heir in sorted(continuing):
            if gained[heir]:
                totals[heir] += gained[heir]
                transfers[heir] = gained[heir]
        subject = loser
    return Result(
        method="irv",
        candidates=profile.candidates,
        seats=1,
        elected=elected,
        rounds=rounds,
        tie_breaks=tie_breaks,
        valid=valid,
    )


def _lowest(
    totals: Mapping[int, int],
    history: list[dict[int, int]],
    profile: Profile,
    *,
    seed: int | None,
    round: int,
) -> tuple[int, str, TieBreak | None]:
    """Return the candidate to exclude, why, and the draw if one was needed."""
    fewest = min(totals.values())
    tied = sorted(c for c, v in totals.items() if v == fewest)
    if len(tied) == 1:
        return tied[0], f"fewest votes ({fewest})", None
    for earlier in range(len(history) - 2, -1, -1):
        votes = history[earlier]
        least = min(votes[c] for c in tied)
        if any(votes[c] != least for c in tied):
            tied = [c for c in tied if votes[c] == least]
            if len(tied) == 1:
                return (
                    tied[0],
                    f"tied for fewest votes ({fewest}), fewest at round {earlier + 1} ({least})",
                    None,
                )
    # Hashing every ranking for a seed costs more than most counts: only for a lot.
    seed = profile_seed(profile) if seed is None else seed
    tie = draw(tied, seed=seed, round=round, purpose="exclude")
    return tie.chosen, f"tied for fewest votes ({fewest}) at every round, chosen by lot", tie


def plurality(profile: Profile, *, seed: int | None = None) -> Result:
    """Elect the `seats` candidates with the most first preferences."""
    parcels = Parcels(profile)
    held = parcels.papers_held(np.arange(parcels.papers.size)).tolist()
    scores = {c: held[c] for c in profile.continuing}
    return _highest(profile, scores, parcels.valid, "plurality", "first preferences", seed)


def approval(profile: Profile, *, seed: int | None = None) -> Result:
    """Elect the `seats` candidates approved (ranked at all) by the most ballots."""
    parcels = Parcels(profile)
    approved = parcels.papers_ranking().tolist()
    scores = {c: approved[c] for c in profile.continuing}
    return _highest(profile, scores, parcels.valid, "approval", "approvals", seed)


def _highest(
    profile: Profile,
    scores: dict[int, int],
    valid: int,
    method: str,
    action: str,
    seed: int | None,
) -> Result:
    """Return the result electing the `seats` highest scores, ties across the last seat by lot."""
    seats = profile.seats
    if seats > len(scores):
        raise ProfileError(f"{seats} seats but only {len(scores)} continuing candidates")
    order = sorted(scores, key=lambda c: (-scores[c], c))
    elected = order[:seats]
    tie_breaks: list[TieBreak] = []
    note = ""
    last = scores[elected[-1]]
    tied = [c for c in order if scores[c] == last]
    if len(tied) > 1 and order[seats:] and scores[order[seats]] == last:
        # The tie straddles the last seat: those above it are in; draw the rest one by one.
        elected = [c for c in elected if scores[c] > last]
        seed = profile_seed(profile) if seed is None else seed
        pool = list(tied)
        while len(elected) < seats:
            tie = draw(pool, seed=seed, round=1, purpose="elect")
            tie_breaks.append(tie)
            elected.append(tie.chosen)
            pool.remove(tie.chosen)
        names = profile.candidates
        note = f"tied at {last}: {', '.join(names[c] for c in tied)}; seats decided by lot"
    round_ = Round(
        number=1,
        action=action,
        quota=None,
        votes={c: Fraction(scores[c]) for c in sorted(scores)},
        elected=list(elected),
        note=note,
    )
    return Result(
        method=method,
        candidates=profile.candidates,
        seats=seats,
        elected=elected,
        rounds=[round_],
        tie_breaks=tie_breaks,
        valid=valid,
    )


@dataclass
class SchulzeResult(Result):
    """A Schulze result with its pairwise counts and strongest paths (indexed by candidate).

    `pairwise[a][b]` is the number of ballots preferring a to b; `strongest_paths[a][b]` is the
    (support, opposition) of the weakest link on the strongest path from a to b, None if none.
    """

    measure: str = "winning_votes"
    pairwise: list[list[int]] = field(default_factory=list)
    strongest_paths: list[list[Link]] = field(default_factory=list)
    potential_winners: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        names = self.candidates
        standing = sorted(self.rounds[0].votes) if self.rounds else []
        data["measure"] = self.measure
        data["potential_winners"] = [names[c] for c in self.potential_winners]
        data["pairwise"] = {
            names[a]: {names[b]: self.pairwise[a][b] for b in standing if b != a} for a in standing
        }
        data["strongest_paths"] = {
            names[a]: {
                names[b]: None if (link := self.strongest_paths[a][b]) is None else list(link)
                for b in standing
                if b != a
            }
            for a in standing
        }
        return data


def pairwise(profile: Profile) -> list[list[int]]:
    """Return d[a][b], the weight of ballots ranking a above b (ranked above unranked)."""
    return _pairwise(Parcels(profile), profile.withdrawn)


def _pairwise(parcels: Parcels, withdrawn: Iterable[int]) -> list[list[int]]:
    ranks, papers, n = parcels.ranks, parcels.papers, parcels.end
    # d[a][b] = (ballots ranking a) - (ballots ranking both, b above or equal to a): summed over
    # pairs of places in the rankings (the last `end`, past any ranking's end, is cut off), in
    # time quadratic in the longest ranking, not in the number of candidates.
    correction = np.zeros((n + 1, n + 1), dtype=np.int64)
    for place in range(ranks.shape[1]):
        for higher in range(place + 1):
            np.add.at(correction, (ranks[:, place], ranks[:, higher]), -papers)
    d = parcels.papers_ranking()[:n, None] + correction[:n, :n]
    np.fill_diagonal(d, 0)
    # Withdrawn candidates are not on the ballot: they beat nobody and nobody beats them.
    out = sorted(withdrawn)
    d[out, :] = 0
    d[:, out] = 0
    found: list[list[int]] = d.tolist()
    return found


def _strength_key(measure: Measure) -> Callable[[Link], tuple[int, int]]:
    """Return the sort key ordering link strengths under `measure`; no link is weakest."""
    if measure == "winning_votes":
        return lambda link: (-1, 0) if link is None else (link[0], -link[1])
    if measure == "margins":
        return lambda link: (-1, 0) if link is None else (link[0] - link[1], 0)
    raise ValueError(f"unknown Schulze measure {measure!r}; use 'winning_votes' or 'margins'")


def schulze(
    profile: Profile, *, seed: int | None = None, measure: Measure = "winning_votes"
) -> SchulzeResult:
    """Elect the Schulze (beatpath) winner of a single-seat profile."""
    if profile.seats != 1:
        raise ProfileError(f"Schulze elects one candidate here, not {profile.seats}")
    key = _strength_key(measure)
    standing = profile.continuing
    if not standing:
        raise ProfileError("every candidate has withdrawn: nobody to elect")
    n = len(profile.candidates)
    parcels = Parcels(profile)
    d = _pairwise(parcels, profile.withdrawn)
    p: list[list[Link]] = [[None] * n for _ in range(n)]
    for a in standing:
        for b in standing:
            if a != b and d[a][b] > d[b][a]:
                p[a][b] = (d[a][b], d[b][a])
    # Floyd-Warshall for widest paths, exactly as in section 2.3 of Schulze's paper.
    for i in standing:
        for j in standing:
            if j == i or p[j][i] is None:
                continue
            via = p[j][i]
            for k in standing:
                if k in (i, j):
                    continue
                through = p[i][k]
                if through is None:
                    continue
                weakest = via if key(via) <= key(through) else through
                if key(weakest) > key(p[j][k]):
                    p[j][k] = weakest
    wins = {a: sum(1 for b in standing if b != a and key(p[a][b]) > key(p[b][a])) for a in standing}
    winners = [a for a in standing if all(key(p[b][a]) <= key(p[a][b]) for b in standing)]
    names = profile.candidates
    tie_breaks: list[TieBreak] = []
    if len(winners) == 1:
        winner = winners[0]
        note = f"{names[winner]} beats every other candidate by strongest paths"
    else:
        tie = draw(
            winners, seed=profile_seed(profile) if seed is None else seed, round=1, purpose="elect"
        )
        tie_breaks.append(tie)
        winner = tie.chosen
        note = (
            f"potential winners {', '.join(names[c] for c in winners)}: none beaten by strongest "
            f"paths; {names[winner]} chosen by lot"
        )
    valid = parcels.valid
    round_ = Round(
        number=1,
        action="beatpath",
        quota=None,
        votes={c: Fraction(wins[c]) for c in standing},
        elected=[winner],
        note=f"votes = opponents beaten by strongest paths ({measure}); {note}",
    )
    return SchulzeResult(
        method="schulze",
        candidates=profile.candidates,
        seats=1,
        elected=[winner],
        rounds=[round_],
        tie_breaks=tie_breaks,
        valid=valid,
        measure=measure,
        pairwise=d,
        strongest_paths=p,
        potential_winners=winners,
    )
