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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from sovet.counting.profile import Profile, ProfileError, Ranking
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
    seed = profile_seed(profile) if seed is None else seed
    continuing = set(profile.continuing)
    if not continuing:
        raise ProfileError("every candidate has withdrawn: nobody to elect")
    rankings: list[Ranking] = []
    weights: list[int] = []
    for ranking, weight in profile.effective().items():
        if ranking and weight:
            rankings.append(ranking)
            weights.append(weight)
    # Each distinct ranking sits on the pile of its current preference; an exclusion moves only
    # the excluded candidate's pile, so work grows with transfers, not with ballots times rounds.
    position = [0] * len(rankings)
    piles: dict[int, list[int]] = {c: [] for c in continuing}
    totals: dict[int, int] = {c: 0 for c in continuing}
    for index, ranking in enumerate(rankings):
        piles[ranking[0]].append(index)
        totals[ranking[0]] += weights[index]
    valid = sum(weights)
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
        loser, why, tie = _lowest(totals, history, seed=seed, round=number_)
        if tie is not None:
            tie_breaks.append(tie)
        round_.excluded = [loser]
        round_.note = f"{names[loser]} is excluded: {why}"
        transfers = {loser: -totals[loser]}
        del totals[loser]
        continuing.discard(loser)
        for index in piles.pop(loser):
            ranking, at, weight = rankings[index], position[index] + 1, weights[index]
            while at < len(ranking) and ranking[at] not in continuing:
                at += 1
            if at == len(ranking):
                exhausted += weight
                continue
            position[index] = at
            heir = ranking[at]
            piles[heir].append(index)
            totals[heir] += weight
            transfers[heir] = transfers.get(heir, 0) + weight
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
    totals: Mapping[int, int], history: list[dict[int, int]], *, seed: int, round: int
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
    tie = draw(tied, seed=seed, round=round, purpose="exclude")
    return tie.chosen, f"tied for fewest votes ({fewest}) at every round, chosen by lot", tie


def plurality(profile: Profile, *, seed: int | None = None) -> Result:
    """Elect the `seats` candidates with the most first preferences."""
    scores = dict.fromkeys(profile.continuing, 0)
    valid = 0
    for ranking, weight in profile.effective().items():
        if ranking:
            scores[ranking[0]] += weight
            valid += weight
    return _highest(profile, scores, valid, "plurality", "first preferences", seed)


def approval(profile: Profile, *, seed: int | None = None) -> Result:
    """Elect the `seats` candidates approved (ranked at all) by the most ballots."""
    scores = dict.fromkeys(profile.continuing, 0)
    valid = 0
    for ranking, weight in profile.effective().items():
        if ranking:
            for candidate in ranking:
                scores[candidate] += weight
            valid += weight
    return _highest(profile, scores, valid, "approval", "approvals", seed)


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
    n = len(profile.candidates)
    above_all = [0] * n
    # d[a][b] = (ballots ranking a) - (ballots ranking both, b above or equal to a); built per
    # distinct ranking in time quadratic in its length, not in the number of candidates.
    correction = [[0] * n for _ in range(n)]
    for ranking, weight in profile.effective().items():
        if not weight:
            continue
        for i, a in enumerate(ranking):
            above_all[a] += weight
            row = correction[a]
            for b in ranking[: i + 1]:
                row[b] -= weight
    return [[0 if a == b else above_all[a] + correction[a][b] for b in range(n)] for a in range(n)]


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
    d = pairwise(profile)
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
    valid = sum(w for r, w in profile.effective().items() if r)
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
