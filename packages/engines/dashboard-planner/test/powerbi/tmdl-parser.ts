/**
 * A small TMDL reader for the tests, written from the grammar in the TMDL overview
 * (learn.microsoft.com/analysis-services/tmdl/tmdl-overview), independently of the writer:
 * indentation by tabs gives the tree; `keyword name [= default expression]` declares an object;
 * `property: value` and bare `property` (true) set properties; `property =` opens a multi-line
 * expression one level deeper than the properties; `///` lines describe the next object.
 * It throws on anything it does not understand, so a malformed file fails the test.
 */

export interface TmdlObject {
  type: string;
  name: string | undefined;
  /** The default property after `=`, single- or multi-line (DAX, M, an enum). */
  value: string | undefined;
  description: string | undefined;
  isRef: boolean;
  properties: Map<string, string | true>;
  /** Multi-line expression properties such as a partition's `source =`. */
  expressions: Map<string, string>;
  children: TmdlObject[];
}

const OBJECT_TYPES = new Set([
  "database",
  "model",
  "table",
  "column",
  "measure",
  "partition",
  "relationship",
  "expression",
  "annotation",
  "cultureInfo",
  "role",
  "hierarchy",
  "level",
]);

interface Line {
  depth: number;
  text: string;
  number: number;
}

/** `'it''s'` → it's; unquoted names are returned as they are. */
export function readName(text: string): { name: string; rest: string } {
  if (text.startsWith("'")) {
    let i = 1;
    let name = "";
    while (i < text.length) {
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          name += "'";
          i += 2;
          continue;
        }
        return { name, rest: text.slice(i + 1) };
      }
      name += text[i];
      i++;
    }
    throw new Error(`unterminated quoted name: ${text}`);
  }
  const match = /^[^\s.=:']+/.exec(text);
  if (!match) throw new Error(`no name at: ${text}`);
  return { name: match[0], rest: text.slice(match[0].length) };
}

/** `Sales.'Customer ID'` → ["Sales", "Customer ID"]. */
export function readQualified(text: string): string[] {
  const parts: string[] = [];
  let rest = text;
  for (;;) {
    const read = readName(rest);
    parts.push(read.name);
    if (read.rest === "") return parts;
    if (!read.rest.startsWith(".")) throw new Error(`bad qualified name: ${text}`);
    rest = read.rest.slice(1);
  }
}

/** A property value: surrounding double quotes are optional; inside them "" is a quote. */
export function readText(value: string): string {
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2
    ? value.slice(1, -1).replaceAll('""', '"')
    : value;
}

function lex(source: string): Line[] {
  return source.split("\n").map((raw, i) => {
    const indent = /^\t*/.exec(raw)![0].length;
    // Whitespace-only lines count as blank (TMDL trims them); spaces after the tabs are kept:
    // inside an expression they are the expression's own indentation.
    return { depth: indent, text: raw.trim() === "" ? "" : raw.slice(indent), number: i + 1 };
  });
}

export function parseTmdl(source: string): TmdlObject[] {
  const lines = lex(source);
  let i = 0;

  /** Lines deeper than `depth` (blank lines included) after the current one, as an expression. */
  function readExpression(depth: number): string {
    const body: Line[] = [];
    while (i < lines.length && (lines[i]!.text === "" || lines[i]!.depth > depth)) body.push(lines[i++]!);
    while (body.length && body[body.length - 1]!.text === "") body.pop();
    if (!body.length) throw new Error(`line ${lines[i - 1]?.number}: empty expression`);
    const margin = Math.min(...body.filter((l) => l.text !== "").map((l) => l.depth));
    return body.map((l) => (l.text === "" ? "" : "\t".repeat(l.depth - margin) + l.text)).join("\n");
  }

  function readObject(depth: number, description: string | undefined): TmdlObject {
    const line = lines[i++]!;
    let text = line.text;
    const isRef = text.startsWith("ref ");
    if (isRef) text = text.slice(4);
    const type = /^\w+/.exec(text)?.[0];
    if (!type || !OBJECT_TYPES.has(type))
      throw new Error(`line ${line.number}: not an object declaration: ${line.text}`);
    let rest = text.slice(type.length);
    let name: string | undefined;
    if (rest.startsWith(" ")) {
      const read = readName(rest.slice(1));
      name = read.name;
      rest = read.rest;
    }
    let value: string | undefined;
    if (rest.startsWith(" = ")) value = rest.slice(3);
    else if (rest === " =") value = readExpression(depth + 1);
    else if (rest !== "") throw new Error(`line ${line.number}: unexpected "${rest}"`);
    const object: TmdlObject = {
      type,
      name,
      value,
      description,
      isRef,
      properties: new Map(),
      expressions: new Map(),
      children: [],
    };
    readBody(object, depth + 1);
    return object;
  }

  function readBody(object: TmdlObject, depth: number): void {
    let description: string[] = [];
    while (i < lines.length) {
      const line = lines[i]!;
      if (line.text === "") {
        i++;
        continue;
      }
      if (line.depth < depth) return;
      if (line.depth > depth) throw new Error(`line ${line.number}: indented too deep: ${line.text}`);
      if (line.text.startsWith(" "))
        throw new Error(`line ${line.number}: indentation must be tabs: ${line.text}`);
      if (line.text.startsWith("///")) {
        description.push(line.text.slice(3).trim());
        i++;
        continue;
      }
      const word = /^(ref )?(\w+)/.exec(line.text)?.[2] ?? "";
      if (OBJECT_TYPES.has(word) && !/^\w+:/.test(line.text)) {
        object.children.push(readObject(depth, description.length ? description.join("\n") : undefined));
        description = [];
        continue;
      }
      if (description.length) throw new Error(`line ${line.number}: a description must precede an object`);
      i++;
      const property = /^(\w+): (.*)$/.exec(line.text);
      const expression = /^(\w+) =$/.exec(line.text);
      if (property) object.properties.set(property[1]!, readText(property[2]!.trim()));
      else if (expression) object.expressions.set(expression[1]!, readExpression(depth + 1));
      else if (/^\w+$/.test(line.text)) {
        object.properties.set(line.text, true);
        // A bare property may hold nested flags (model dataAccessOptions): keep them dotted.
        while (i < lines.length && lines[i]!.text !== "" && lines[i]!.depth > depth) {
          const nested = lines[i++]!;
          if (!/^\w+$/.test(nested.text))
            throw new Error(`line ${nested.number}: bad nested flag ${nested.text}`);
          object.properties.set(`${line.text}.${nested.text}`, true);
        }
      } else throw new Error(`line ${line.number}: cannot read ${JSON.stringify(line.text)}`);
    }
  }

  const root: TmdlObject = {
    type: "document",
    name: undefined,
    value: undefined,
    description: undefined,
    isRef: false,
    properties: new Map(),
    expressions: new Map(),
    children: [],
  };
  readBody(root, 0);
  if (root.properties.size || root.expressions.size) throw new Error("properties outside any object");
  return root.children;
}

export const childrenOf = (object: TmdlObject, type: string) =>
  object.children.filter((c) => c.type === type);
