/**
 * The e-mail templates send_email steps name (`template: welcome_email`). Subject and body are
 * templates with `{{ }}` JSONata parts, rendered with the execution's variables and the step's
 * `templateData`; a value that is missing renders as nothing. Plain text on purpose: values are
 * put in as written, and text cannot be turned into markup by them.
 */
export interface EmailTemplate {
  subject: string;
  text: string;
}

export const EMAIL_TEMPLATES: Readonly<Record<string, EmailTemplate>> = Object.freeze({
  welcome_email: {
    subject: 'Welcome to {{ $exists(company_name) ? company_name : "BlueBirdHub" }}{{ $exists(customer_name) ? ", " & customer_name : "" }}',
    text:
      'Hello {{ $exists(customer_name) ? customer_name : "there" }},\n\n' +
      'Welcome aboard! Your account is ready{{ $exists(plan) ? " on the " & plan & " plan" : "" }}.\n' +
      '{{ $exists(login_url) ? "Sign in here: " & login_url : "" }}\n\n' +
      'If you have any questions, just reply to this e-mail.\n',
  },
  task_assigned: {
    subject: 'New task: {{ task_title }}',
    text: 'Hello {{ $exists(assignee_name) ? assignee_name : "there" }},\n\nYou have a new task: {{ task_title }}.\n{{ $exists(due_date) ? "It is due on " & due_date & "." : "" }}\n',
  },
  approval_request: {
    subject: 'Approval needed: {{ $exists(subject) ? subject : "a workflow step" }}',
    text: 'Hello,\n\nA workflow is waiting for your decision{{ $exists(subject) ? " on " & subject : "" }}.\n{{ $exists(details) ? details : "" }}\n\nOpen your approval inbox to approve or reject it.\n',
  },
  execution_failed: {
    subject: 'Workflow run failed: {{ $exists(workflow_name) ? workflow_name : execution.workflowId }}',
    text: 'The run {{ execution.id }} failed{{ $exists(error) ? ": " & error : "" }}.\n\nOpen the execution monitor to see the failed step and retry it.\n',
  },
  notification: {
    subject: '{{ title }}',
    text: '{{ message }}\n{{ $exists(link) ? "\\n" & link : "" }}\n',
  },
});
