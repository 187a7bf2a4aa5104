/*
 * The browser tests hand functions to the page (`locator.evaluateAll(...)`), which run in the
 * browser: they are typed against the DOM. Without this, the DOM interfaces the React types declare
 * empty (pulled in by the RJSF form-state test) would stand in for the real ones.
 */
/// <reference lib="dom" />
