export { lintPolicies, LINT_RULES, type LintFinding, type LintCode, type LintSeverity } from './lint.js';
