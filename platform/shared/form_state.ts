/**
 * How the portal's form renderer (RJSF) fills a new form: with nothing the citizen has not chosen.
 * By default RJSF pre-fills a field from its `const` (so every declaration, `const: true`, arrives
 * ticked, and a radio group whose options are `oneOf` consts arrives on its first option) and gives
 * a required yes/no field `false` (so "No" arrives chosen). Declarations and choices the law or
 * the call asks of the citizen must start empty and be made by them (DPR 445/2000).
 * Browser-safe; tests/unit/forms/form_state.spec.ts runs RJSF with it on every shipped form.
 */
export const FORM_STATE_BEHAVIOR = {
  constAsDefaults: 'never',
  requiredBooleanDefault: 'skip',
} as const
