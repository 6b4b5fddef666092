/**
 * The message template grammar, in one place: the loader checks templates with it, the renderer
 * fills them in with it.
 *
 *   {name}            a value: an evidence key, {data.<field>}, {params.<name>} or {record.<field>}
 *   {name|percent}    a value through a format (only `percent`: a fraction as a percentage)
 *   {#name}…{/name}   text shown only when the value is present (missing, null, blank text and
 *                     empty lists are absent, as for the `present` operator)
 *   {^name}…{/name}   text shown only when the value is absent
 *
 * Sections nest; any other brace is plain text.
 */

const FORMATS = ["percent"] as const;

export type TemplatePart =
  | { readonly text: string }
  | { readonly name: string; readonly format?: string }
  | { readonly section: string; readonly inverted: boolean; readonly parts: readonly TemplatePart[] };

export interface TemplateProblem {
  readonly message: string;
}

export interface ParsedTemplate {
  readonly parts: readonly TemplatePart[];
  /** Every value and section name used, with its format, in order of appearance. */
  readonly names: readonly { readonly name: string; readonly format?: string }[];
  readonly problems: readonly TemplateProblem[];
}

const TOKEN = /\{([#^/]?)([^{}|]+)(?:\|([^{}]*))?\}/g;

/** Templates come from the policy set: each is parsed once, however many violations render it. */
const parsedTemplates = new Map<string, ParsedTemplate>();
const PARSED_TEMPLATES_MAX = 10_000;

export function parseTemplate(template: string): ParsedTemplate {
  let parsed = parsedTemplates.get(template);
  if (!parsed) {
    if (parsedTemplates.size >= PARSED_TEMPLATES_MAX) parsedTemplates.clear();
    parsed = parseTemplateText(template);
    parsedTemplates.set(template, parsed);
  }
  return parsed;
}

function parseTemplateText(template: string): ParsedTemplate {
  const names: { name: string; format?: string }[] = [];
  const problems: TemplateProblem[] = [];
  const root: TemplatePart[] = [];
  const stack: { name: string; inverted: boolean; parts: TemplatePart[] }[] = [];
  const current = () => stack.at(-1)?.parts ?? root;
  let last = 0;
  for (const match of template.matchAll(TOKEN)) {
    const [whole, sigil = "", rawName = "", format] = match;
    if (match.index > last) current().push({ text: template.slice(last, match.index) });
    last = match.index + whole.length;
    const name = rawName.trim();
    if (sigil === "#" || sigil === "^") {
      names.push({ name });
      if (format !== undefined) problems.push({ message: `a section {${sigil}${name}} takes no format` });
      stack.push({ name, inverted: sigil === "^", parts: [] });
    } else if (sigil === "/") {
      const open = stack.pop();
      if (!open) problems.push({ message: `{/${name}} closes no section` });
      else {
        if (open.name !== name)
          problems.push({ message: `{/${name}} closes {${open.inverted ? "^" : "#"}${open.name}}` });
        current().push({ section: open.name, inverted: open.inverted, parts: open.parts });
      }
    } else {
      names.push(format === undefined ? { name } : { name, format });
      if (format !== undefined && !(FORMATS as readonly string[]).includes(format))
        problems.push({
          message: `unknown format "|${format}" in {${name}|${format}}: use ${FORMATS.map((f) => `|${f}`).join(", ")}`,
        });
      current().push(format === undefined ? { name } : { name, format });
    }
  }
  if (last < template.length) current().push({ text: template.slice(last) });
  for (const open of [...stack].reverse())
    problems.push({
      message: `{${open.inverted ? "^" : "#"}${open.name}} is never closed: add {/${open.name}}`,
    });
  // an unclosed section still renders (its text as if closed at the end)
  while (stack.length > 0) {
    const open = stack.pop() as (typeof stack)[number];
    current().push({ section: open.name, inverted: open.inverted, parts: open.parts });
  }
  return { parts: root, names, problems };
}

export function renderTemplate(
  parts: readonly TemplatePart[],
  value: (name: string, format?: string) => string,
  present: (name: string) => boolean,
): string {
  let out = "";
  for (const part of parts) {
    if ("text" in part) out += part.text;
    else if ("section" in part) {
      if (present(part.section) !== part.inverted) out += renderTemplate(part.parts, value, present);
    } else out += value(part.name, part.format);
  }
  return out;
}
