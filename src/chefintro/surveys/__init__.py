"""Surveys: start, mid, end and follow-up questionnaires of a cohort, and their report.

A survey has questions (1–7 statements and free text); the built-in Swedish set for new
managers is the same for every phase, so start and end can be compared. Answers come back
from the form workbook or a Microsoft Forms export (:mod:`chefintro.roster.survey_form`),
all or nothing. Reports show aggregates only: any group with fewer answers than the
``survey.min_group`` setting is hidden, and so is the next smallest group when the hidden
ones together could otherwise be worked out from the total. Free text is listed without
names, in alphabetical order, and only for groups that are shown.

``questions`` holds the phases, the built-in questions and questions files, ``catalogue``
a cohort's surveys, ``forms`` the forms to send (one per participant by default, never
with earlier answers), ``answers`` importing answers and a person's answers, ``report``
the report and its group-size rule. Import from here.
"""

from chefintro.surveys.answers import (
    ImportSummary,
    answers_of,
    delete_answers,
    import_answers,
    unlink_answers,
)
from chefintro.surveys.catalogue import (
    SurveyInfo,
    add_survey,
    find_survey,
    get_survey,
    list_surveys,
    questions_of,
    surveys_of,
)
from chefintro.surveys.forms import (
    FormMode,
    FormPlan,
    export_form,
    log_forms,
    plan_forms,
    write_forms,
)
from chefintro.surveys.questions import (
    BUILTIN_QUESTIONS,
    QuestionSpec,
    parse_phase,
    read_questions,
)
from chefintro.surveys.report import (
    Cell,
    GroupResult,
    QuestionResult,
    SurveyReport,
    change_pair,
    headline,
    min_group,
    survey_report,
    visible_groups,
)

__all__ = [
    "BUILTIN_QUESTIONS",
    "Cell",
    "FormMode",
    "FormPlan",
    "GroupResult",
    "ImportSummary",
    "QuestionResult",
    "QuestionSpec",
    "SurveyInfo",
    "SurveyReport",
    "add_survey",
    "answers_of",
    "change_pair",
    "delete_answers",
    "export_form",
    "find_survey",
    "get_survey",
    "headline",
    "import_answers",
    "list_surveys",
    "log_forms",
    "min_group",
    "parse_phase",
    "plan_forms",
    "questions_of",
    "read_questions",
    "survey_report",
    "surveys_of",
    "unlink_answers",
    "visible_groups",
    "write_forms",
]
