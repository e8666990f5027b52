"""What a closed poll about a motion, an amendment, formulations or an election carries out.

Called by polls.actions.close_poll inside its transaction, after the result is recorded.
"""

from typing import Any

from sovet.congress.bodies import count_election
from sovet.congress.models import Amendment, Formulation, Motion
from sovet.congress.motions import adopt_amendment, adopt_motion
from sovet.polls.models import Poll
from sovet.record.log import append


def poll_closed(poll: Poll, *, actor: Any) -> None:
    """Carry out the outcome of a closed poll that has a purpose."""
    result = poll.result or {}
    if poll.purpose == Poll.Purpose.AMENDMENT:
        amendment = Amendment.objects.select_related("motion").get(pk=poll.amendment_id)
        adopted = bool(result.get("adopted"))
        amendment.state = Amendment.State.ADOPTED if adopted else Amendment.State.REJECTED
        amendment.save(update_fields=["state"])
        if adopted:
            adopt_amendment(amendment, actor=actor)
        append(
            poll.organization,
            actor=actor,
            action=f"amendment.{amendment.state}",
            payload={
                "motion": amendment.motion.number,
                "amendment": amendment.number,
                "text": amendment.motion.text,
                "sentence": result.get("sentence", ""),
            },
        )
    elif poll.purpose == Poll.Purpose.FORMULATIONS:
        # A tie keeps the formulation that stood first: a challenger must win to replace it.
        first, second = poll.options[:2]  # the last option is the abstention
        winner = result.get("winner") or first
        loser = second if winner == first else first
        Formulation.objects.filter(motion=poll.motion_id, label=loser).update(eliminated=True)
        append(
            poll.organization,
            actor=actor,
            action="formulation.eliminated",
            payload={
                "motion": poll.motion.number,
                "kept": winner,
                "eliminated": loser,
                "sentence": result.get("sentence", ""),
            },
        )
    elif poll.purpose == Poll.Purpose.MOTION:
        motion = Motion.objects.get(pk=poll.motion_id)
        adopted = bool(result.get("adopted"))
        motion.state = Motion.State.ADOPTED if adopted else Motion.State.REJECTED
        motion.save(update_fields=["state"])
        append(
            poll.organization,
            actor=actor,
            action=f"motion.{motion.state}",
            payload={
                "motion": motion.pk,
                "number": motion.number,
                "title": motion.title,
                "kind": motion.kind,
                "text": motion.text,
                "sentence": result.get("sentence", ""),
            },
        )
        if adopted:
            adopt_motion(motion, actor=actor)
    elif poll.purpose == Poll.Purpose.ELECTION:
        count_election(poll, actor=actor)
