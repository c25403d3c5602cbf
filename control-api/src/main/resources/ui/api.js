// The console's only way to the server: the public control API, same origin (the browser protection lets it through).

/** An error the API answered: its message and status, as {"error": ..., "status": N} said. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError('the control API cannot be reached: ' + e.message, 0);
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch (e) { json = null; }
  }
  if (!response.ok) {
    throw new ApiError(json && json.error ? json.error : `HTTP ${response.status}`, response.status);
  }
  return json;
}

export const get = (path) => api('GET', path);

/** Escapes text for HTML built with template strings. */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) =>
    ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export const enc = encodeURIComponent;

/**
 * Shows an API error next to the form field it names: the message names fields the way requests do
 * ("attributes.latency must be between ...", "listen must be host:port"), so the longest field name that the
 * message contains as a word is the one it is about. Anything else goes to the form's own error line.
 */
export function showFieldError(form, error) {
  clearErrors(form);
  const message = error.message;
  let best = null;
  for (const input of form.querySelectorAll('[data-field]')) {
    const field = input.dataset.field;
    const re = new RegExp('(^|[^\\w.])' + field.replace(/[.]/g, '\\.') + '($|[^\\w.])');
    if (re.test(message) && (!best || field.length > best.dataset.field.length)) best = input;
  }
  const slot = best ? form.querySelector(`[data-error-for="${best.dataset.field}"]`) : form.querySelector('.form-error');
  slot.textContent = message;
  slot.hidden = false;
  if (best) {
    best.setAttribute('aria-invalid', 'true');
    best.focus();
  }
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll('.field-error, .form-error')) {
    slot.textContent = '';
    slot.hidden = true;
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/** A labelled input with its error slot; data-field names it as the API's messages do. */
export function field(label, fieldName, inputHtml, hint = '') {
  const id = 'f-' + fieldName.replace(/[^\w-]/g, '-');
  return `<div class="field">
    <label for="${id}">${esc(label)}${hint ? ` <span class="hint">${esc(hint)}</span>` : ''}</label>
    ${inputHtml.replace('<input', `<input id="${id}" data-field="${esc(fieldName)}" aria-describedby="${id}-err"`)
               .replace('<select', `<select id="${id}" data-field="${esc(fieldName)}" aria-describedby="${id}-err"`)}
    <div class="field-error" id="${id}-err" data-error-for="${esc(fieldName)}" role="alert" hidden></div>
  </div>`;
}
