from django.apps import AppConfig


class LeversConfig(AppConfig):
    name = "becoming.levers"

    def ready(self):
        from becoming import registry as r

        # One item in the main nav (it is crowded); the three pages link to each other by tabs.
        r.add_nav(r.NavItem("Levers", "work_queue", 85,
                            current=("lever_effects*", "work_queue*", "playbook*")))
        r.add_customer_section(r.CustomerSection(
            "next_actions", "levers/_customer.html", "becoming.levers.views:customer_section", 15,
            column="side"))
        r.add_playbook_step(r.PlaybookStep("task", "Create a task",
                                           "becoming.levers.actions.steps:create_task",
                                           check="becoming.levers.actions.steps:check_task"))
        r.add_playbook_step(r.PlaybookStep("survey", "Send a survey",
                                           "becoming.levers.actions.steps:send_survey",
                                           check="becoming.levers.actions.steps:check_survey"))
        for type_, label in (("engage.meeting", "Meetings"), ("engage.call", "Calls"),
                             ("engage.visit", "Visits"), ("engage.survey_response", "Survey answers"),
                             ("playbook.enrolled", "Playbook enrolments"),
                             ("playbook.holdout", "Held out of a playbook"),
                             ("playbook.step", "Playbook steps"), ("levers.task_done", "Tasks done")):
            r.add_lever_action(r.LeverAction(type_, label))
        r.add_job_kind("run_playbooks", "becoming.levers.actions.playbooks:run_playbooks_job")
        r.add_demo_step(r.DemoStep("levers", "becoming.levers.demo:plant_effects", 50,
                                   before_history=True))
