import { ACTION_CATALOGUE } from '@contracts/actions';
import { checkConfig, checkValue, fieldsOf, fromInput, initialConfig, setAt, toInput, type FormField } from './schema-form';

const action = (type: string) => ACTION_CATALOGUE.find((a) => a.type === type)!;
const field = (type: string, path: string) => {
  let fields = fieldsOf(action(type).configSchema);
  let found: FormField | undefined;
  for (const key of path.split('.')) {
    found = fields.find((f) => f.key === key);
    fields = found?.children ?? [];
  }
  return found!;
};

describe('schema-generated config form', () => {
  it('generates a field per property, with its kind, required flag and expression mode', () => {
    const fields = fieldsOf(action('send_email').configSchema);
    const byKey = new Map(fields.map((f) => [f.key, f]));
    expect(byKey.get('to')).toMatchObject({ kind: 'text', required: true, expression: true, label: 'To' });
    expect(byKey.get('body')).toMatchObject({ kind: 'textarea', expression: true });
    expect(byKey.get('format')).toMatchObject({ kind: 'enum', options: ['text', 'html'], default: 'text' });
    expect(byKey.get('templateData')!.kind).toBe('json');
    expect(field('condition', 'expression')).toMatchObject({ kind: 'jsonata', required: true });
    expect(field('create_task', 'dueInDays').kind).toBe('integer');
    expect(field('approval', 'requireComment').kind).toBe('boolean');
    expect(field('send_notification', 'channels')).toMatchObject({ kind: 'multi-enum', options: ['in_app', 'email'] });
    expect(field('create_task', 'labels').kind).toBe('list');
    expect(field('http_request', 'headers').kind).toBe('map');
    expect(field('approval', 'approvers')).toMatchObject({ kind: 'group' });
    expect(field('approval', 'approvers.role')).toMatchObject({ kind: 'enum', path: ['approvers', 'role'] });
  });

  it('every action of the catalogue gets a form (no property is dropped)', () => {
    for (const a of ACTION_CATALOGUE) {
      const props = Object.entries(a.configSchema.properties).filter(([, p]) => typeof p === 'object');
      expect(fieldsOf(a.configSchema).map((f) => f.key)).toEqual(props.map(([k]) => k));
    }
  });

  it('starts a new step with the defaults a person would otherwise pick', () => {
    expect(initialConfig(action('http_request').configSchema)).toMatchObject({ method: 'GET' });
    expect(initialConfig(action('create_task').configSchema)).toEqual({ priority: 'medium' });
  });

  it('converts typed text to config values and back', () => {
    const num = field('delay', 'durationMs');
    expect(fromInput(num, '1500')).toEqual({ ok: true, value: 1500 });
    expect(fromInput(num, '1.5')).toEqual({ ok: false, error: 'Enter a whole number' });
    expect(fromInput(num, '')).toEqual({ ok: true, value: undefined });
    const headers = field('http_request', 'headers');
    expect(fromInput(headers, 'X-Id: {{ input.id }}\nAccept: application/json')).toEqual({ ok: true, value: { 'X-Id': '{{ input.id }}', Accept: 'application/json' } });
    expect(toInput(headers, { A: '1' })).toBe('A: 1');
    const labels = field('create_task', 'labels');
    expect(fromInput(labels, 'a\n\n b ')).toEqual({ ok: true, value: ['a', 'b'] });
    const json = field('send_email', 'templateData');
    expect(fromInput(json, '{nope')).toEqual({ ok: false, error: 'Not valid JSON' });
    const format = field('send_email', 'format');
    expect(fromInput(format, toInput(format, 'html') as string)).toEqual({ ok: true, value: 'html' });
  });

  it('checks values the way the server will: required, patterns (an expression passes), ranges, enums', () => {
    const url = field('http_request', 'url');
    expect(checkValue(url, undefined)).toMatch(/required/);
    expect(checkValue(url, 'not a url')).toMatch(/http\(s\) URL/);
    expect(checkValue(url, 'https://example.com/x')).toBeNull();
    expect(checkValue(url, '{{ vars.endpoint }}')).toBeNull();
    expect(checkValue(field('delay', 'durationMs'), 0)).toBe('At least 1');
    expect(checkValue(field('create_task', 'title'), 'Hello {{ input.name')).toMatch(/not closed/);
    expect(checkValue(field('send_notification', 'channels'), [])).toMatch(/At least 1/);
  });

  it('reports every problem of a config by field path, nested ones included', () => {
    const problems = checkConfig(action('approval').configSchema, { approvers: { role: 'janitor' } });
    expect(problems.get('message')).toMatch(/required/);
    expect(problems.get('approvers.role')).toMatch(/Choose one of/);
  });

  it('sets nested values and drops objects left empty', () => {
    const c = setAt({ approvers: { role: 'admin' }, message: 'm' }, ['approvers', 'role'], undefined);
    expect(c).toEqual({ message: 'm' });
    expect(setAt({}, ['approvers', 'userIds'], ['u1'])).toEqual({ approvers: { userIds: ['u1'] } });
  });
});
