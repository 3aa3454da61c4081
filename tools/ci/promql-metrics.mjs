// A small PromQL scanner for monitoring.test.mjs: which metrics an
// expression selects, with which label matchers, and by which labels it
// groups them. Not a parser: enough for the rules and dashboard podid ships.

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
/** Aggregation operators: followed by `by (...)` as often as by their argument. */
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
/** A regex matcher value that is a plain alternation of literals (a|b|c), so its alternatives can be checked one by one. */
const LITERALS = /^[\w/-]+(\|[\w/-]+)*$/;

function skipString(s, i) {
  const q = s[i];
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === q) return j + 1;
  }
  return s.length;
}

function parseMatchers(body) {
  const out = [];
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*,?/gy;
  let m;
  while ((m = re.exec(body))) {
    const value = m[3].slice(1, -1);
    const alternatives = m[2] === '=' ? [value] : m[2] === '=~' && LITERALS.test(value) ? value.split('|') : [];
    out.push({ name: m[1], op: m[2], value, alternatives });
  }
  return out;
}

/** [{ name, labels: [{ name, op, value, alternatives }], grouping: [label] }] for each metric the expression selects. */
export function metricsInPromql(expr) {
  const uses = [];
  const pairs = [];
  const open = [];
  const clauses = [];
  let last;
  for (let i = 0; i < expr.length; ) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
      last = undefined;
    } else if (c === '[') {
      i = expr.indexOf(']', i) + 1 || expr.length;
    } else if (c === '{') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== '}') j = expr[j] === '"' || expr[j] === "'" || expr[j] === '`' ? skipString(expr, j) : j + 1;
      if (last) last.labels.push(...parseMatchers(expr.slice(i + 1, j)));
      i = j + 1;
      last = undefined;
    } else if (c === '(') {
      open.push(i++);
    } else if (c === ')') {
      pairs.push([open.pop(), i++]);
    } else if (/[a-zA-Z_:]/.test(c)) {
      IDENT.lastIndex = i;
      const name = IDENT.exec(expr)[0];
      const start = i;
      i += name.length;
      let k = i;
      while (/\s/.test(expr[k] ?? '')) k++;
      last = undefined;
      if (name === 'by' || name === 'without') {
        const close = expr.indexOf(')', k);
        clauses.push({ at: start, end: close + 1, labels: expr.slice(k + 1, close).split(',').map((x) => x.trim()).filter(Boolean) });
        i = close + 1;
      } else if (name === 'on' || name === 'ignoring' || name === 'group_left' || name === 'group_right') {
        if (expr[k] === '(') i = expr.indexOf(')', k) + 1;
      } else if (!KEYWORDS.has(name.toLowerCase()) && !AGGREGATIONS.has(name) && expr[k] !== '(') {
        last = { name, start, labels: [], grouping: [] };
        uses.push(last);
      }
    } else {
      i++;
    }
  }
  // A by/without clause groups the aggregation's argument: the parentheses right after it, or the ones right before it.
  for (const cl of clauses) {
    let k = cl.end;
    while (/\s/.test(expr[k] ?? '')) k++;
    const group = expr[k] === '(' ? pairs.find(([o]) => o === k) : pairs.filter(([, e]) => e < cl.at).sort((a, b) => b[1] - a[1])[0];
    if (!group) continue;
    for (const u of uses) if (u.start > group[0] && u.start < group[1]) u.grouping.push(...cl.labels);
  }
  return uses.map(({ name, labels, grouping }) => ({ name, labels, grouping: [...new Set(grouping)] }));
}
