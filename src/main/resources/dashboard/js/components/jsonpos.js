/**
 * Where each value of a JSON text starts: maps paths as the server names them in an invalid
 * graph's errors (`tasks[1].deps[0]`, `name`) to 1-based line numbers. Tolerant: stops at the
 * first syntax error and keeps what it found, so the lines it can place are still marked.
 */
export function jsonLines(text) {
  const lines = new Map();
  let i = 0;
  let line = 1;

  const ws = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') { line++; i++; } else if (c === ' ' || c === '\t' || c === '\r') i++; else break;
    }
  };
  const str = () => {
    let out = '';
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') { out += text[i + 1] === 'n' ? '\n' : text[i + 1]; i += 2; } else { if (text[i] === '\n') line++; out += text[i++]; }
    }
    if (text[i] !== '"') throw new Error('unterminated string');
    i++;
    return out;
  };
  const value = (path) => {
    ws();
    lines.set(path || '$', line);
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Error('expected a key');
        const keyLine = line;
        const key = str();
        const p = path ? `${path}.${key}` : key;
        ws();
        if (text[i] !== ':') throw new Error('expected :');
        i++;
        value(p);
        lines.set(p, keyLine);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        throw new Error('expected , or }');
      }
    } else if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (let k = 0; ; k++) {
        value(`${path}[${k}]`);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        throw new Error('expected , or ]');
      }
    } else if (c === '"') {
      str();
    } else {
      const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) throw new Error('unexpected character');
      i += m[0].length;
    }
  };
  try { value(''); } catch { /* keep what was found */ }
  return lines;
}

/** The line of `where`, or of its nearest enclosing value that the text has; 0 if none. */
export function lineOf(lines, where) {
  let p = where;
  while (p) {
    if (lines.has(p)) return lines.get(p);
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return lines.get(p) || 0;
}
