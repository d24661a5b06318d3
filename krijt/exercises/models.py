"""Auto-graded exercises: items grouped into exercises, assigned to a class or to chosen pupils, practised on
the pupil's device until mastery.

- `Exercise`: a set of items on one skill, written by a teacher for a subject; the school's teachers can use
  each other's exercises, only the author (or an administrator) changes them. Its mastery rule (m correct of the
  last n) is the default of each assignment.
- `Item` and `ItemRevision`: an item's content never changes in place; an edit adds a revision, so an answer
  is always scored against the version the pupil saw.
- `Assignment`: an exercise given to a course's whole class or to chosen pupils (a named group or individual
  pupils), optionally with a due date that is a task in the planner. Its rule history keeps every rule it had,
  because a pupil's sitting keeps the rule it started with.
- `Attempt`: one finished sitting, sent once by the device with an id it made (so a repeat is the same row),
  its answers as JSON. Append-only; on PostgreSQL partitioned by week (`week`, the Monday of the week it
  finished) and kept by dropping whole weeks (krijt/exercises/partitions.py).
- `Progress` and `ItemTally`: what the dashboard reads, rebuilt from attempts in batches by a worker.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from krijt.core.models import SchoolScoped, TimeStamped
from krijt.exercises import items as item_types
from krijt.exercises import rules


class Exercise(SchoolScoped, TimeStamped):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(max_length=100)
    skill = models.CharField(max_length=100)
    title = models.CharField(max_length=150)
    instructions = models.TextField(blank=True)
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    rule_m = models.PositiveSmallIntegerField(default=rules.DEFAULT_RULE[0])
    rule_n = models.PositiveSmallIntegerField(default=rules.DEFAULT_RULE[1])
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["school", "subject", "skill", "title"]
        indexes = [models.Index(fields=["school", "subject", "skill"], name="exercise_subject_skill_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def rule(self) -> rules.Rule:
        return rules.Rule(self.rule_m, self.rule_n)


class Item(SchoolScoped):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    current = models.ForeignKey("ItemRevision", null=True, on_delete=models.SET_NULL, related_name="+")
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["school", "exercise", "position", "pk"]
        indexes = [models.Index(fields=["school", "exercise", "position"], name="item_exercise_idx")]


class ItemRevision(SchoolScoped):
    """One version of an item's content, never changed once written."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(max_length=10, choices=[(k.value, label) for k, label in
                                                    item_types.KIND_LABELS.items()])
    prompt = models.TextField()
    body = models.JSONField()
    feedback_correct = models.CharField(max_length=300, blank=True)
    feedback_wrong = models.CharField(max_length=300, blank=True)
    hints = models.JSONField(default=list)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["school", "item"], name="itemrevision_item_idx")]


class PracticeGroup(SchoolScoped, TimeStamped):
    """A teacher's named group of pupils of one class, for differentiated practice ("extra tables")."""

    class_group = models.ForeignKey("schools.ClassGroup", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    students = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)

    class Meta:
        ordering = ["school", "class_group", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "class_group", "name"], name="practicegroup_unique_name"),
        ]


class Assignment(SchoolScoped, TimeStamped):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="assignments")
    course = models.ForeignKey("schools.Course", on_delete=models.CASCADE, related_name="+")
    class_group = models.ForeignKey("schools.ClassGroup", on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # True: every pupil of the class (also pupils who join later); False: the pupils in AssignmentStudent.
    whole_class = models.BooleanField(default=True)
    group_name = models.CharField(max_length=80, blank=True)
    due_date = models.DateField(null=True, blank=True)
    planner_item = models.ForeignKey("planner.PlannerItem", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    rule_m = models.PositiveSmallIntegerField()
    rule_n = models.PositiveSmallIntegerField()
    # Every rule this assignment had, oldest first: [[m, n], ...] (a sitting keeps the rule it started with).
    rule_history = models.JSONField(default=list)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set when the teacher chose to put this practice in the results (it never goes there by itself).
    evaluation = models.ForeignKey("results.Evaluation", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["school", "-created_at"]
        indexes = [
            models.Index(fields=["school", "class_group", "created_at"], name="assignment_class_idx"),
            models.Index(fields=["school", "course"], name="assignment_course_idx"),
        ]

    @property
    def rule(self) -> rules.Rule:
        return rules.Rule(self.rule_m, self.rule_n)


class AssignmentStudent(SchoolScoped):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="audience")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "assignment", "student"], name="assignmentstudent_unique"),
        ]
        indexes = [models.Index(fields=["school", "student"], name="assignmentstudent_student_idx")]


class Attempt(models.Model):
    """One finished sitting. Append-only; see the module's text and docs/decisions/ on its partitions."""

    pk = models.CompositePrimaryKey("week", "key")
    week = models.DateField()
    key = models.UUIDField()  # made by the device
    # No foreign-key constraints and no single-column indexes: each would cost the busiest insert of the
    # platform a lookup; the rows are written only by the submit service, which checks all three.
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                               db_index=False)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                db_constraint=False, db_index=False)
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                                   db_index=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    received_at = models.DateTimeField()
    rule_m = models.PositiveSmallIntegerField()
    rule_n = models.PositiveSmallIntegerField()
    # [{"item": revision id, "r": response, "ok": the device's verdict, "hints": n, "ms": time on it}, ...]
    answers = models.JSONField()
    # The device's own count; the worker scores the answers again.
    correct = models.PositiveSmallIntegerField()
    mastered = models.BooleanField()
    seconds = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["school", "student", "assignment"], name="attempt_student_idx"),
            models.Index(fields=["received_at"], name="attempt_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.week})"


class Progress(SchoolScoped):
    """A pupil's practice of one assignment, rebuilt from their attempts by the worker."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="progress")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    seconds = models.PositiveIntegerField(default=0)
    mastered_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    # Answers the device called right and the server wrong (or the other way): a bug or a forged attempt.
    disagreements = models.PositiveIntegerField(default=0)
    # Per item (its id): [answered, wrong], summed over the assignment's pupils into ItemTally.
    item_counts = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "assignment", "student"], name="progress_unique"),
        ]
        indexes = [models.Index(fields=["school", "student"], name="progress_student_idx")]


class ItemTally(SchoolScoped):
    """How often an item of an assignment was answered, and wrongly: "items most often wrong"."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="tallies")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    answered = models.PositiveIntegerField(default=0)
    wrong = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "assignment", "item"], name="itemtally_unique"),
        ]


class SummaryCursor(models.Model):
    """How far the summarising worker has read the attempts (received_at): one row for the platform."""

    name = models.CharField(max_length=40, unique=True)
    position = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name
