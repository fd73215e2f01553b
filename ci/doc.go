// Package ci carries out what a CI job does around a plan: the plan comment
// on a pull request, the drift issue, the verification of what is
// published.
//
// It orchestrates; it does not plan. It reads plans and snapshots made by
// planner and state, and talks to GitHub and the registry only through the
// small interfaces it declares (CommentWriter, Identity, IssueTracker,
// VerifyReaders), which providers satisfy. planner never imports it.
package ci
