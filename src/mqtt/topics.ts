/*
 * Topic names and filters (MQTT 3.1.1 section 4.7).
 *
 * A topic name is what a PUBLISH carries: at least one character, no
 * wildcards. A topic filter is what a SUBSCRIBE carries: `+` stands for one
 * whole level, `#` for the rest and must be last, and both must fill a level
 * alone. Both are UTF-8 strings of at most 65,535 bytes without U+0000.
 */

import { MAX_STRING_BYTES } from "./constants";
import { utf8Length } from "./utf8";

/** Why a topic was refused, for a typed error. */
export type TopicProblem =
  | "empty"               // 4.7.3-1
  | "too-long"            // 1.5.3: 65,535 bytes
  | "lone-surrogate"      // 1.5.3-1
  | "null-character"      // 4.7.3-2
  | "wildcard-in-name"    // 4.7.1-1 (3.3.2-2)
  | "misplaced-wildcard"; // 4.7.1-2, 4.7.1-3

function stringProblem(text: string): TopicProblem | undefined {
  if (text.length === 0) return "empty";
  const bytes = utf8Length(text);
  if (bytes < 0) return "lone-surrogate";
  if (bytes > MAX_STRING_BYTES) return "too-long";
  if (text.indexOf("\u0000") >= 0) return "null-character";
  return undefined;
}

/** The reason `name` is not a valid topic name, or undefined if it is. */
export function topicNameProblem(name: string): TopicProblem | undefined {
  const problem = stringProblem(name);
  if (problem) return problem;
  if (name.indexOf("+") >= 0 || name.indexOf("#") >= 0) return "wildcard-in-name";
  return undefined;
}

/** The reason `filter` is not a valid topic filter, or undefined if it is. */
export function topicFilterProblem(filter: string): TopicProblem | undefined {
  const problem = stringProblem(filter);
  if (problem) return problem;
  const length = filter.length;
  for (let i = 0; i < length; i++) {
    const c = filter.charCodeAt(i);
    if (c === 0x2b /* + */) {
      // 4.7.1-3: "+" must occupy an entire level.
      if ((i > 0 && filter.charCodeAt(i - 1) !== 0x2f) || (i + 1 < length && filter.charCodeAt(i + 1) !== 0x2f))
        return "misplaced-wildcard";
    }
    else if (c === 0x23 /* # */) {
      // 4.7.1-2: "#" alone or after "/", and last.
      if ((i > 0 && filter.charCodeAt(i - 1) !== 0x2f) || i !== length - 1)
        return "misplaced-wildcard";
    }
  }
  return undefined;
}

const problemText: Record<TopicProblem, string> = Object.freeze({
  "empty": "must not be empty",
  "too-long": "must be at most 65,535 bytes of UTF-8",
  "lone-surrogate": "holds a lone surrogate and has no UTF-8 form",
  "null-character": "must not contain U+0000",
  "wildcard-in-name": "must not contain the wildcards + or # (use them in subscriptions only)",
  "misplaced-wildcard": "has a wildcard that does not fill a whole level (+ alone between slashes, # alone and last)",
});

/** A sentence a person can act on, naming the field. */
export function describeTopicProblem(field: string, value: string, problem: TopicProblem): string {
  const shown = value.length > 64 ? value.slice(0, 61) + "..." : value;
  return `${field} ${JSON.stringify(shown)} ${problemText[problem]}`;
}

/** Throws a TypeError naming `field` unless `name` is a valid topic name. */
export function checkTopicName(field: string, name: unknown): string {
  if (typeof name !== "string") throw new TypeError(`${field} must be a string, not ${typeof name}`);
  const problem = topicNameProblem(name);
  if (problem) throw new TypeError(describeTopicProblem(field, name, problem));
  return name;
}

/** Throws a TypeError naming `field` unless `filter` is a valid topic filter. */
export function checkTopicFilter(field: string, filter: unknown): string {
  if (typeof filter !== "string") throw new TypeError(`${field} must be a string, not ${typeof filter}`);
  const problem = topicFilterProblem(filter);
  if (problem) throw new TypeError(describeTopicProblem(field, filter, problem));
  return filter;
}

/**
 * Whether topic `name` matches a valid `filter` (4.7). Levels are compared
 * exactly; `+` matches one level (an empty one too), `#` the parent level and
 * everything below it. Filters starting with a wildcard do not match names
 * starting with `$` (4.7.2-1).
 */
export function topicMatches(filter: string, name: string): boolean {
  if (name.charCodeAt(0) === 0x24 /* $ */) {
    const first = filter.charCodeAt(0);
    if (first === 0x2b || first === 0x23) return false;
  }
  let f = 0, n = 0;
  const fLength = filter.length, nLength = name.length;
  for (;;) {
    // At the start of a level in both strings.
    if (f < fLength && filter.charCodeAt(f) === 0x23 /* # */) return true;
    if (f < fLength && filter.charCodeAt(f) === 0x2b /* + */) {
      f++;
      while (n < nLength && name.charCodeAt(n) !== 0x2f) n++;
    }
    else {
      while (f < fLength && n < nLength) {
        const c = filter.charCodeAt(f);
        if (c === 0x2f) break;
        if (c !== name.charCodeAt(n)) return false;
        f++;
        n++;
      }
      if ((f < fLength && filter.charCodeAt(f) !== 0x2f) || (n < nLength && name.charCodeAt(n) !== 0x2f))
        return false;
    }
    // Both at a "/" or at the end.
    const fEnd = f >= fLength, nEnd = n >= nLength;
    if (fEnd && nEnd) return true;
    if (nEnd) {
      // "a/#" matches "a": the filter's next and last level is "#".
      return f + 2 === fLength && filter.charCodeAt(f + 1) === 0x23;
    }
    if (fEnd) return false;
    f++;
    n++;
  }
}
