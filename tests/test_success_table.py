"""Every transition and every page has a test in which someone allowed succeeds.

The walk (tests/test_permission_walk.py) proves refusals; this table proves the other half: for
each step an agenda item takes (decisions.models.ALL_STEPS), each public service function that
acts for a person (decisions, meetings, notices, supervision, reports: every meeting, minutes,
notice, letter, task and report step) and each URL pattern the walk walks, it names a test in
which an allowed actor takes the step or opens the page and the result is checked (the state, the
history row, who is told). The lists come from the code, so a new step, service or URL without
a success case fails `test_every_transition_and_page_has_a_success_case` with its name.

NOT_YET is for a transition or page whose success case is still to be written: each entry must
name something that exists and has no case (it is empty now; keep it so).
"""

import ast
import importlib
import inspect
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from django.utils import timezone

from core import audit
from core.models import AuditEvent
from decisions.models import ALL_STEPS, AgendaItem, State
from meetings.models import AgendaEntry, Meeting, Opinion
from org.models import MeetingBody
from tests.factories import at_state, meeting_for, organizer_of, running_meeting

TESTS = Path(__file__).parent
APPS = ("decisions", "meetings", "notices", "supervision", "reports")


def service_functions() -> list[str]:
    """app.name of each public service function that takes an `actor` (the steps people take)."""
    found = set()
    for app in APPS:
        module = importlib.import_module(f"{app}.services")
        for name in dir(module):
            fn = getattr(module, name)
            if (
                inspect.isfunction(fn)
                and not name.startswith("_")
                and fn.__module__.startswith(f"{app}.services")
                and "actor" in inspect.signature(fn).parameters
            ):
                found.add(f"{app}.{name}")
    return sorted(found)


def url_names() -> list[str]:
    from tests.test_permission_walk import WALKED

    return sorted({p.name for p in WALKED})


def keys() -> list[str]:
    return (
        [f"item:{step}" for step in ALL_STEPS]
        + [f"service:{name}" for name in service_functions()]
        + [f"url:{name}" for name in url_names()]
    )


HTTP_STEP = "test_item_transitions.py::test_an_allowed_step_over_http_redirects_and_moves_the_item"
HERE = "test_success_table.py"

SUCCESS: dict[str, str] = {
    # --- an item's own steps, over HTTP (state, history row) -----------------------------------
    **{f"item:{step}": f"{HTTP_STEP}[{step}]" for step in ("submit", "dept_approve", "dept_return")},
    **{f"item:{step}": f"{HTTP_STEP}[{step}]" for step in ("screen_accept", "screen_return", "screen_reject")},
    **{f"item:{step}": f"{HTTP_STEP}[{step}]" for step in ("consult_answer", "resubmit", "withdraw")},
    # the steps a meeting and supervision take on an item
    "item:schedule": f"{HERE}::test_an_organiser_puts_a_ready_item_on_the_agenda",
    "item:unschedule": "test_meeting_rules.py::test_a_dropped_item_needs_a_reason_and_returns_to_the_queue",
    "item:decide": "test_meeting_flow.py::test_it_runs_a_pc_meeting_to_locked_minutes_and_an_archive",
    "item:forward_to_pc": "test_two_deliberations.py::test_passed_to_pc_moves_the_item_to_the_pc_queue_without_a_resolution",
    "item:close": "test_supervision_chain.py::test_it_closes_the_item_when_its_last_task_closes",
    # --- decisions.services --------------------------------------------------------------------
    "service:decisions.attachment_add": "test_attachments.py::test_the_submitter_adds_materials_to_a_ready_item_but_cannot_edit_it",
    "service:decisions.attachment_remove": "test_attachments.py::test_an_attachment_is_removed_once",
    "service:decisions.item_create": "test_full_chain.py::test_it_takes_an_item_from_submission_to_closure",
    "service:decisions.item_update": "test_item_transitions.py::test_raising_the_amount_in_an_edit_makes_the_item_major",
    "service:decisions.item_viewed": "test_item_visibility.py::test_every_view_of_a_confidential_item_is_recorded",
    "service:decisions.item_submit": f"{HTTP_STEP}[submit]",
    "service:decisions.item_dept_approve": f"{HTTP_STEP}[dept_approve]",
    "service:decisions.item_dept_return": f"{HTTP_STEP}[dept_return]",
    "service:decisions.item_screen_accept": "test_item_transitions.py::test_screening_opens_round_one_for_the_named_leaders",
    "service:decisions.item_screen_return": f"{HTTP_STEP}[screen_return]",
    "service:decisions.item_screen_reject": f"{HTTP_STEP}[screen_reject]",
    "service:decisions.item_consult_answer": "test_item_transitions.py::test_a_concern_sends_the_item_back_for_revision_with_its_text",
    "service:decisions.item_resubmit": "test_item_transitions.py::test_resubmitting_opens_the_next_round_for_the_same_leaders",
    "service:decisions.item_withdraw": f"{HTTP_STEP}[withdraw]",
    "service:decisions.item_schedule": f"{HERE}::test_an_organiser_puts_a_ready_item_on_the_agenda",
    "service:decisions.item_unschedule": "test_meeting_rules.py::test_a_dropped_item_needs_a_reason_and_returns_to_the_queue",
    "service:decisions.item_decide": "test_meeting_flow.py::test_it_runs_a_pc_meeting_to_locked_minutes_and_an_archive",
    "service:decisions.item_forward_to_pc": "test_two_deliberations.py::test_passed_to_pc_moves_the_item_to_the_pc_queue_without_a_resolution",
    "service:decisions.item_close": "test_supervision_chain.py::test_it_closes_the_item_when_its_last_task_closes",
    # --- meetings.services ---------------------------------------------------------------------
    "service:meetings.meeting_schedule": f"{HERE}::test_an_organiser_schedules_a_meeting_on_its_page",
    "service:meetings.agenda_add": f"{HERE}::test_an_organiser_puts_a_ready_item_on_the_agenda",
    "service:meetings.agenda_drop": "test_meeting_rules.py::test_a_dropped_item_needs_a_reason_and_returns_to_the_queue",
    "service:meetings.agenda_move": "test_meeting_rules.py::test_the_agenda_is_ordered_while_it_is_planned",
    "service:meetings.meeting_publish": "test_meeting_rules.py::test_publishing_the_agenda_tells_every_attendee_once",
    "service:meetings.meeting_cancel": "test_meeting_rules.py::test_a_cancelled_meeting_returns_its_items_to_the_queue",
    "service:meetings.meeting_open": "test_meeting_rules.py::test_a_meeting_is_planned_published_opened_and_adjourned_in_that_order",
    "service:meetings.meeting_adjourn": "test_meeting_rules.py::test_a_meeting_is_planned_published_opened_and_adjourned_in_that_order",
    "service:meetings.attendance_mark": "test_meeting_rules.py::test_attendance_is_recorded_with_reasons_and_observers",
    "service:meetings.emergency_add": "test_meeting_rules.py::test_the_chair_adds_an_emergency_item_with_a_reason_on_record",
    "service:meetings.entry_recuse": "test_meeting_rules.py::test_a_recusal_leaves_the_item_out_of_the_quorum_count",
    "service:meetings.opinion_record": f"{HERE}::test_a_member_records_an_opinion_on_the_entry_page",
    "service:meetings.vote_open": "test_meeting_votes.py::test_the_chair_may_call_a_vote_on_any_item",
    "service:meetings.vote_cast": "test_two_deliberations.py::test_passed_to_pc_needs_the_po_vote_to_pass",
    "service:meetings.vote_close": "test_meeting_votes.py::test_once_a_vote_is_called_its_count_decides",
    "service:meetings.vote_enter": "test_meeting_record.py::test_the_recorder_enters_a_show_of_hands_or_an_oral_vote_per_member",
    "service:meetings.opinion_correct": "test_meeting_record.py::test_the_recorder_corrects_an_opinion_with_a_new_row",
    "service:meetings.vote_correct": "test_meeting_record.py::test_an_entered_vote_is_corrected_and_the_tally_follows",
    "service:meetings.attendance_correct": "test_meeting_record.py::test_the_recorder_corrects_attendance_with_a_new_row",
    "service:meetings.entry_decide": "test_meeting_flow.py::test_it_runs_a_pc_meeting_to_locked_minutes_and_an_archive",
    "service:meetings.minutes_edit": "test_minutes.py::test_an_objection_sends_the_minutes_back_and_signing_starts_over",
    "service:meetings.minutes_send": "test_minutes.py::test_the_last_signature_locks_the_minutes_with_a_number",
    "service:meetings.minutes_sign": "test_meeting_flow.py::test_it_runs_a_pc_meeting_to_locked_minutes_and_an_archive",
    "service:meetings.minutes_object": "test_minutes.py::test_an_objection_sends_the_minutes_back_and_signing_starts_over",
    "service:meetings.minutes_amend": "test_minutes.py::test_a_correction_is_a_linked_amendment_through_the_same_cycle",
    "service:meetings.confidential_viewed": "test_meeting_pages.py::test_every_page_that_shows_a_confidential_item_of_a_meeting_logs_the_view",
    # --- notices.services ----------------------------------------------------------------------
    "service:notices.notice_create_upper_document": "test_notice_pages.py::test_the_party_office_writes_a_notice_then_publishes_it_with_confirmation",
    "service:notices.notice_publish": "test_notices.py::test_publishing_notifies_every_recipient_once_after_the_commit",
    "service:notices.notice_for_resolution": "test_notices.py::test_a_pc_resolution_is_noticed_to_everyone_and_queued_for_the_next_school_affairs_meeting",
    "service:notices.attach_pending_to_meeting": "test_notices.py::test_a_notice_waits_for_the_next_school_affairs_meeting_to_be_scheduled",
    "service:notices.digest_compile": "test_full_chain.py::test_it_takes_an_item_from_submission_to_closure",
    "service:notices.notice_mark_read": "test_notices.py::test_a_read_receipt_is_recorded_once",
    "service:notices.notice_urge": "test_notice_urge.py::test_the_sender_reminds_each_unread_recipient_once_a_day",
    "service:notices.notice_viewed": "test_notices.py::test_a_view_of_a_confidential_notice_is_on_record",
    # --- supervision.services ------------------------------------------------------------------
    "service:supervision.letter_write": "test_mailbox.py::test_anyone_writes_a_letter",
    "service:supervision.letter_forward": "test_mailbox_anonymous.py::test_the_office_forwards_and_the_department_replies",
    "service:supervision.letter_reply": "test_mailbox.py::test_the_first_reply_marks_the_letter_replied_and_follow_ups_keep_it",
    "service:supervision.finding_record": "test_patrols.py::test_leaders_and_offices_record_a_finding",
    "service:supervision.branch_check_record": "test_branch_checks.py::test_the_score_is_the_points_of_the_items_met",
    "service:supervision.branch_self_check": "test_branch_track.py::test_a_branch_secretary_checks_the_branch_and_it_is_not_graded",
    "service:supervision.org_life_record": "test_branch_track.py::test_org_life_is_counted_against_its_frequency_and_short_periods_are_named",
    "service:supervision.item_follow": "test_supervision_services.py::test_following_is_once_and_can_be_undone",
    "service:supervision.task_create": "test_supervision_services.py::test_after_the_pc_resolution_the_item_gets_its_tasks",
    "service:supervision.task_report": "test_task_pages.py::test_the_department_head_reports_with_evidence_and_asks_for_closure",
    "service:supervision.task_review": "test_supervision_chain.py::test_it_closes_the_item_when_its_last_task_closes",
    "service:supervision.task_urge": "test_supervision_services.py::test_urging_reminds_the_leader_and_the_head_once_a_day",
    "service:supervision.task_escalate": "test_supervision_services.py::test_the_supervisor_escalates_once",
    "service:supervision.tasks_bulk": "test_supervision_services.py::test_bulk_urge_skips_closed_tasks",
    "service:supervision.task_viewed": "test_supervision_visibility.py::test_every_view_of_a_confidential_task_is_on_record",
    # --- reports.services ----------------------------------------------------------------------
    "service:reports.flag_answer": "test_report_flags.py::test_a_department_head_answers_his_flag_and_the_answer_is_kept",
    "service:reports.entry_record": "test_party_building_services.py::test_a_department_head_enters_a_value_for_their_department",
    "service:reports.department_values_record": "test_party_building_pages.py::test_a_head_fills_in_and_corrects_their_department",
    # --- pages -----------------------------------------------------------------------------------
    "url:home": "test_dashboard.py::test_each_demo_account_finds_what_waits_on_it",
    "url:login": "test_seed_scale.py::test_the_demo_accounts_log_in_and_see_the_items",
    "url:logout": "test_sessions.py::test_a_signed_out_cookie_is_signed_out_for_every_process",
    "url:password_change": "test_accounts.py::test_it_changes_ones_own_password_and_signs_out_the_other_devices",
    "url:password_change_done": "test_accounts.py::test_it_changes_ones_own_password_and_signs_out_the_other_devices",
    "url:password_reset": "test_accounts.py::test_a_reset_link_arrives_in_chinese_from_site_url_and_sets_the_new_password",
    "url:password_reset_done": "test_accounts.py::test_a_reset_link_arrives_in_chinese_from_site_url_and_sets_the_new_password",
    "url:password_reset_confirm": "test_accounts.py::test_a_reset_link_arrives_in_chinese_from_site_url_and_sets_the_new_password",
    "url:password_reset_complete": "test_accounts.py::test_a_reset_link_arrives_in_chinese_from_site_url_and_sets_the_new_password",
    "url:decisions:mine": "test_item_visibility.py::test_my_items_lists_only_my_own_submissions",
    "url:decisions:new": "test_attachments.py::test_files_uploaded_with_a_new_item_are_stored_with_their_details",
    "url:decisions:detail": "test_item_visibility.py::test_every_view_of_a_confidential_item_is_recorded",
    "url:decisions:edit": "test_attachments.py::test_a_file_uploaded_with_the_edit_form_is_added",
    "url:decisions:act": f"{HTTP_STEP}[submit]",
    "url:decisions:attach": "test_attachments.py::test_the_submitter_adds_materials_to_a_ready_item_but_cannot_edit_it",
    "url:decisions:attachment": "test_item_visibility.py::test_downloading_an_attachment_of_a_confidential_item_is_recorded",
    "url:decisions:attachment_remove": "test_attachments.py::test_removing_an_attachment_only_hides_it",
    "url:meetings:list": "test_meeting_pages.py::test_the_meeting_list_shows_only_the_meetings_the_user_may_open",
    "url:meetings:new": f"{HERE}::test_an_organiser_schedules_a_meeting_on_its_page",
    "url:meetings:detail": "test_meeting_flow.py::test_it_runs_a_pc_meeting_to_locked_minutes_and_an_archive",
    "url:meetings:act": f"{HERE}::test_an_organiser_puts_a_ready_item_on_the_agenda",
    "url:meetings:archive": "test_meeting_flow.py::test_it_runs_a_pc_meeting_to_locked_minutes_and_an_archive",
    "url:meetings:agenda_pdf": "test_meeting_paper.py::test_a_confidential_item_is_marked_for_attendees_and_left_out_for_others",
    "url:meetings:pack_pdf": "test_meeting_paper.py::test_the_pack_has_a_cover_a_table_of_contents_and_the_pdf_materials_merged_with_page_numbers",
    "url:meetings:minutes_docx": "test_meeting_paper.py::test_the_minutes_as_a_word_document_in_the_gongwen_layout",
    "url:meetings:resolution_docx": "test_meeting_paper.py::test_a_resolution_as_a_word_document_and_not_for_whom_may_not_see_it",
    "url:meetings:entry": "test_meeting_flow.py::test_it_runs_a_pc_meeting_to_locked_minutes_and_an_archive",
    "url:meetings:entry_act": f"{HERE}::test_a_member_records_an_opinion_on_the_entry_page",
    "url:meetings:minutes": "test_meeting_flow.py::test_it_runs_a_pc_meeting_to_locked_minutes_and_an_archive",
    "url:notices:new": "test_notice_pages.py::test_the_party_office_writes_a_notice_then_publishes_it_with_confirmation",
    "url:notices:publish": "test_notice_pages.py::test_the_party_office_writes_a_notice_then_publishes_it_with_confirmation",
    "url:notices:detail": "test_notice_pages.py::test_opening_a_notice_is_reading_it_once",
    "url:notices:list": "test_notice_pages.py::test_the_list_puts_unread_notices_first_and_searches_titles",
    "url:mailbox:new": "test_mailbox.py::test_writing_and_replying_through_the_pages",
    "url:mailbox:detail": "test_mailbox.py::test_writing_and_replying_through_the_pages",
    "url:mailbox:list": "test_mailbox.py::test_the_all_letters_page_shows_the_rate_and_unreplied_first",
    "url:mailbox:anonymous": "test_mailbox_anonymous.py::test_an_anonymous_letter_leaves_no_trace_of_its_writer",
    "url:mailbox:query": "test_mailbox_anonymous.py::test_the_writer_reads_the_reply_with_the_code_without_signing_in",
    "url:mailbox:forward": "test_mailbox_anonymous.py::test_the_forward_page_shows_the_form_to_the_office_only",
    "url:patrols:rota": "test_patrol_rota.py::test_the_rota_page",
    "url:patrols:record": "test_patrol_rota.py::test_the_record_page_from_the_phone",
    "url:patrols:coverage": "test_patrol_rota.py::test_the_coverage_page",
    "url:patrols:photo": "test_patrol_rota.py::test_the_coverage_page",
    "url:committee:page": "test_committee_report.py::test_the_report_page",
    "url:committee:key_areas": "test_committee_report.py::test_the_key_area_page",
    "url:supervision:new": "test_task_pages.py::test_an_assigner_hands_out_a_task_with_milestones",
    "url:supervision:report_progress": "test_task_pages.py::test_the_department_head_reports_with_evidence_and_asks_for_closure",
    "url:supervision:review": "test_task_pages.py::test_the_supervisor_closes_a_final_report",
    "url:supervision:urge": "test_task_pages.py::test_the_supervisor_urges_once_a_day",
    "url:supervision:escalate": "test_task_pages.py::test_the_supervisor_escalates_with_a_reason",
    "url:patrols:new": "test_patrols.py::test_a_leader_records_through_the_page",
    "url:patrols:list": "test_patrols.py::test_the_list_filters_by_week_leader_department_search_and_task",
    "url:branches:check": "test_branch_checks.py::test_recording_through_the_page",
    "url:quarterly_report:page": "test_supervision_report.py::test_the_page_shows_the_figures_and_the_definitions",
    "url:quarterly_report:pdf": "test_supervision_report.py::test_the_pdf_holds_the_heading_and_the_figures",
    "url:quarterly_report:xlsx": "test_supervision_report.py::test_the_excel_file_has_a_sheet_per_section",
    "url:calendar:duties": "test_duty_calendar.py::test_the_week_view_is_the_default_and_links_each_duty_to_its_record",
    "url:branches:org_life": "test_branch_track.py::test_the_pages_record_org_life_self_checks_and_show_rectification",
    "url:branches:org_life_new": "test_branch_track.py::test_the_pages_record_org_life_self_checks_and_show_rectification",
    "url:branches:self_check": "test_branch_track.py::test_the_pages_record_org_life_self_checks_and_show_rectification",
    "url:party_building:flags": "test_report_flags.py::test_the_flags_page_explains_links_to_the_entry_and_takes_an_answer",
    "url:performance:list": "test_performance.py::test_the_office_rates_and_publishes_from_the_pages",
    "url:performance:detail": "test_performance.py::test_the_office_rates_and_publishes_from_the_pages",
    "url:performance:publish": "test_performance.py::test_the_office_rates_and_publishes_from_the_pages",
    "url:performance:score": "test_performance.py::test_leaders_read_only_published_ratings_and_each_score_traces_to_its_tasks",
    "url:performance:plan": "test_performance.py::test_a_department_head_reads_only_his_own_line_and_plan",
    "url:calendar:page": "test_ical.py::test_the_page_shows_my_next_sixty_days_and_my_feed_link",
    "url:calendar:token_reset": "test_ical.py::test_a_new_link_makes_the_old_one_stop_working",
    "url:calendar:feed": "test_ical.py::test_it_serves_a_persons_meetings_deadlines_and_duties_without_login",
    "url:dashboard:leaders": "test_dashboard.py::test_the_department_filter_narrows_items_and_tasks",
    "url:dashboard:export": "test_dashboard.py::test_every_table_has_an_excel_file_with_the_same_figures",
    "url:dashboard:figure_list": "test_dashboard_drill.py::test_every_figure_equals_the_length_of_the_list_it_links_to",
    "url:party_building:table": "test_party_building_pages.py::test_the_table_flags_the_outlier_and_the_missing_values",
    "url:party_building:xlsx": "test_party_building_pages.py::test_the_workbook_has_a_sheet_per_stage_with_chinese_headers",
    "url:party_building:enter": "test_party_building_pages.py::test_a_head_fills_in_and_corrects_their_department",
    "url:search:page": "test_search_page.py::test_it_finds_a_word_inside_a_title_and_marks_it",
    "url:notifications": "test_notification_centre.py::test_opening_a_notification_marks_it_read_and_goes_to_its_page",
    "url:notification_open": "test_notification_centre.py::test_opening_a_notification_marks_it_read_and_goes_to_its_page",
    "url:notification_settings": "test_notification_centre.py::test_email_reminders_can_be_turned_off_and_on",
    "url:admin:index": "test_admin.py::test_a_role_granted_or_removed_on_its_own_page_is_on_record",
    "url:django_rq:home": f"{HERE}::test_the_administrator_opens_the_job_monitor",
    "url:decisions:all": "test_item_visibility.py::test_a_submitted_item_is_seen_by_leaders_its_department_and_its_meeting",
    "url:decisions:review": f"{HERE}::test_each_person_finds_the_item_waiting_on_them_in_their_list[review]",
    "url:decisions:screening": f"{HERE}::test_each_person_finds_the_item_waiting_on_them_in_their_list[screening]",
    "url:decisions:consultations": f"{HERE}::test_each_person_finds_the_item_waiting_on_them_in_their_list[consultations]",
    "url:meetings:minutes_act": "test_minutes.py::test_editing_through_the_page_answers_403_and_409",
    # The meeting day (before and after, the live room, 三通报 at the meeting).
    "service:meetings.attendance_all_present": "test_meeting_day.py::test_all_present_marks_everyone_unmarked_and_keeps_a_recorded_absence",
    "service:meetings.meeting_reschedule": "test_meeting_day.py::test_the_office_reschedules_with_a_reason_and_every_attendee_is_told",
    "service:meetings.observer_add": "test_meeting_day.py::test_the_items_department_head_is_added_as_an_observer_without_a_vote",
    "service:notices.notice_attachment_add": "test_notices_at_meeting.py::test_notices_carry_checked_attachments_while_draft",
    "service:notices.notices_read_at_meeting": "test_notices_at_meeting.py::test_reading_out_at_the_meeting_marks_it_read_for_the_recipients_present",
    "url:meetings:attendance": "test_meeting_day.py::test_attendance_is_marked_through_htmx_with_the_card_alone",
    "url:meetings:reschedule": "test_meeting_day.py::test_rescheduling_inside_the_lead_time_warns_and_lists_the_items_without_materials",
    "url:meetings:live": "test_meeting_live.py::test_the_meeting_page_shows_the_current_item_and_refreshes_it",
    "url:meetings:entry_live": "test_meeting_live.py::test_the_tally_reaches_a_members_screen_by_polling",
    "url:meetings:entry_ballot": "test_meeting_live.py::test_the_ballot_appears_when_the_vote_opens",
    "url:meetings:screen": "test_meeting_live.py::test_the_projector_shows_who_has_spoken_not_what_and_the_count_once_closed",
    "url:meetings:screen_live": "test_meeting_live.py::test_the_projector_shows_who_has_spoken_not_what_and_the_count_once_closed",
    "url:notices:attach": "test_notices_at_meeting.py::test_the_upload_form_on_a_draft_refuses_a_file_that_is_not_what_it_says",
    "url:notices:attachment": "test_notices_at_meeting.py::test_notices_carry_checked_attachments_while_draft",
    "url:notices:for_meeting": "test_notices_at_meeting.py::test_a_sa_meeting_page_carries_the_pc_resolution_queued_for_it",
    "url:notices:read_at_meeting": "test_notices_at_meeting.py::test_the_meeting_panel_offers_reading_out_to_those_who_run_it",
    "url:notices:receipts": "test_notice_urge.py::test_the_read_rate_changes_as_people_read",
    "url:notices:urge": "test_notice_urge.py::test_the_urge_button_and_its_message",
    "url:accounts:start": "test_signin_dingtalk.py::test_it_signs_in_by_qr_code_as_the_person_with_that_userid",
    "url:accounts:callback": "test_signin_wecom_cas.py::test_cas_signs_in_the_person_with_that_user_name",
    "url:accounts:dingtalk_app": "test_signin_dingtalk.py::test_in_app_login_with_the_free_login_code",
    "url:meetings:study": "test_study.py::test_the_study_pages_record_and_take_reflections",
    "url:meetings:study_act": "test_study.py::test_the_study_pages_record_and_take_reflections",
    "url:meetings:study_new": "test_study.py::test_the_study_pages_record_and_take_reflections",
    "url:meetings:study_year": "test_study.py::test_the_year_page_counts_and_costs_the_same_at_the_seeds_scale",
    "url:meetings:study_year_xlsx": "test_study.py::test_the_year_exports_per_body_per_person_and_session",
    "url:notices:digest_board": "test_digest_work.py::test_the_board_takes_submissions_and_selections",
    "url:notices:digest_publish": "test_digest_work.py::test_the_board_takes_submissions_and_selections",
    "url:notices:work_step": "test_digest_work.py::test_the_board_takes_submissions_and_selections",
    "url:decisions:countersign": "test_review_chain.py::test_a_countersign_by_someone_not_asked_is_refused_on_the_page",
    "url:decisions:countersign_answer": "test_review_chain.py::test_the_asked_department_answers_the_countersign_on_the_page",
    "url:supervision:unfollowed": "test_unfollowed.py::test_the_queue_page_shows_age_to_the_party_office_and_refuses_others",
    "url:supervision:no_task": "test_unfollowed.py::test_the_page_records_a_reason_and_refuses_an_empty_one",
    "url:supervision:assign": "test_task_partners.py::test_the_assign_page_and_the_task_page_show_partners_and_take_their_parts",
    "url:supervision:part_evidence": "test_task_partners.py::test_the_assign_page_and_the_task_page_show_partners_and_take_their_parts",
    "url:supervision:part_report": "test_task_partners.py::test_the_assign_page_and_the_task_page_show_partners_and_take_their_parts",
    "url:supervision:partners_add": "test_task_partners.py::test_the_assign_page_and_the_task_page_show_partners_and_take_their_parts",
    "url:notices:unread_badge": "test_notice_pages.py::test_the_navigation_links_to_the_notices_with_the_unread_count",
    "url:supervision:list": "test_task_pages.py::test_my_tasks_are_those_of_departments_i_head_or_lead",
    "url:supervision:track": "test_task_pages.py::test_the_performance_track_sums_up_each_department",
    "url:supervision:bulk": "test_task_pages.py::test_bulk_escalation_needs_a_reason",
    "url:supervision:detail": "test_task_pages.py::test_the_task_page_shows_source_and_history",
    "url:supervision:evidence": "test_task_pages.py::test_evidence_downloads_only_for_those_who_see_the_task",
    "url:supervision:follow": "test_task_pages.py::test_someone_who_sees_the_task_follows_and_unfollows_its_item",
    "url:supervision:item_tasks": "test_task_pages.py::test_the_item_page_loads_its_supervision_section",
    "url:patrols:detail": "test_patrols.py::test_a_finding_that_became_a_task_links_it",
    "url:branches:year": "test_branch_checks.py::test_the_year_table_shows_scores_missing_months_and_the_definition",
    "url:branches:detail": "test_branch_checks.py::test_recording_through_the_page",
    "url:party_building:history": "test_party_building_pages.py::test_a_head_fills_in_and_corrects_their_department",
    "url:notifications_read_all": f"{HERE}::test_marking_every_notification_read",
}

# Pages with no success case yet (the walk opens them for those allowed, with no check of what
# they show). Only removals are allowed.
NOT_YET: frozenset[str] = frozenset()


@cache
def _tests_in(filename: str) -> frozenset[str]:
    tree = ast.parse((TESTS / filename).read_text(encoding="utf-8"))
    return frozenset(n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test"))


def test_every_transition_and_page_has_a_success_case():
    missing = [k for k in keys() if k not in SUCCESS and k not in NOT_YET]
    assert not missing, "no success case for: " + ", ".join(missing)


def test_every_success_case_names_a_test_that_exists():
    wrong = []
    for key, node in SUCCESS.items():
        filename, _sep, name = node.partition("::")
        if not (TESTS / filename).exists() or name.split("[")[0] not in _tests_in(filename):
            wrong.append(f"{key}: {node}")
    assert not wrong, "no such test: " + "; ".join(wrong)


def test_the_table_names_only_transitions_and_pages_that_exist():
    known = set(keys())
    assert not set(SUCCESS) - known, sorted(set(SUCCESS) - known)
    assert not NOT_YET - known, sorted(NOT_YET - known)
    assert not NOT_YET & set(SUCCESS), sorted(NOT_YET & set(SUCCESS))


# --- the success cases that were missing --------------------------------------------------------


def _last_event(obj) -> AuditEvent:
    return audit.history_of(obj).latest("pk")


def test_an_organiser_schedules_a_meeting_on_its_page(client, people):
    partyoffice = people("partyoffice")
    client.force_login(partyoffice)
    assert client.get("/meetings/new/").status_code == 200
    starts = (timezone.localtime() + timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0)
    data = {
        "body": MeetingBody.objects.get(code="PC").pk,
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "place": "行政楼第一会议室",
        "title": "党委会第九次会议",
    }
    before = set(Meeting.objects.values_list("pk", flat=True))
    response = client.post("/meetings/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    (meeting,) = Meeting.objects.exclude(pk__in=before)
    assert response.url == f"/meetings/{meeting.pk}/"
    assert meeting.title == "党委会第九次会议"
    assert meeting.state == Meeting.State.PLANNING
    event = _last_event(meeting)
    assert (event.actor_id, event.to_state) == (partyoffice.pk, Meeting.State.PLANNING)


def test_an_organiser_puts_a_ready_item_on_the_agenda(client, people):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting = meeting_for("PC")
    organiser = organizer_of("PC")
    client.force_login(organiser)
    response = client.post(f"/meetings/{meeting.pk}/act/add/", {"item": item.pk})
    assert response.status_code == 302
    assert response.url == f"/meetings/{meeting.pk}/"
    entry = AgendaEntry.objects.get(meeting=meeting, item=item)
    assert AgendaItem.objects.get(pk=item.pk).state == State.SCHEDULED
    event = _last_event(item)
    assert (event.verb, event.actor_id, event.from_state, event.to_state) == (
        "item.schedule",
        organiser.pk,
        State.READY,
        State.SCHEDULED,
    )
    assert entry.pk in {e.pk for e in Meeting.objects.get(pk=meeting.pk).entries.all()}


def test_a_member_records_an_opinion_on_the_entry_page(client, people):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting, (entry,) = running_meeting([item], "PC")
    member1 = people("member1")
    client.force_login(member1)
    response = client.post(
        f"/meetings/entries/{entry.pk}/act/opinion/",
        {"member": member1.pk, "stance": "agree", "text": "同意，建议抓紧落实。"},
    )
    assert response.status_code == 302
    assert response.url == f"/meetings/entries/{entry.pk}/"
    opinion = Opinion.objects.get(entry=entry, member=member1)
    assert (opinion.stance, opinion.text) == ("agree", "同意，建议抓紧落实。")
    page = client.get(response.url).content.decode()
    assert "同意，建议抓紧落实。" in page


WAITING = {
    # list: (the item's state, who it waits on)
    "review": (State.DEPT_REVIEW, "depthead"),
    "screening": (State.SCREENING, "secretary"),
    "consultations": (State.CONSULTING, "member1"),
}


@pytest.mark.parametrize("name", sorted(WAITING))
def test_each_person_finds_the_item_waiting_on_them_in_their_list(client, people, name):
    state, who = WAITING[name]
    item = at_state(state, submitter=people("staff"), consultees=[people("member1")], title="关于调整作息时间的请示")
    client.force_login(people(who))
    response = client.get(f"/items/{name}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert item.title in html and f'href="/items/{item.pk}/"' in html


def test_marking_every_notification_read(client, people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""  # the notifications are written in this process after the commit
    with django_capture_on_commit_callbacks(execute=True):
        at_state(State.DEPT_REVIEW, submitter=people("staff"))
    depthead = people("depthead")
    assert depthead.notifications.filter(read_at__isnull=True).exists()
    client.force_login(depthead)
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302 and response.url == "/notifications/"
    assert not depthead.notifications.filter(read_at__isnull=True).exists()
    assert not people("staff").notifications.filter(read_at__isnull=False).exists()  # only one's own


def test_the_administrator_opens_the_job_monitor(client, people):
    client.force_login(people("admin"))
    response = client.get("/rq/")
    assert response.status_code == 200
    assert "default" in response.content.decode()  # the queue Yishi's jobs go to
