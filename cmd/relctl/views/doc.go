// Package views renders plans and apply progress for people (terminal text,
// Markdown for pull-request comments and step summaries) and for programs
// (versioned JSON). It holds no logic beyond presentation.
package views
