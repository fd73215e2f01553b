// Package layers holds no code. Its test enforces the import rules of
// relctl's layering (README "Layout"), so that a forbidden import fails `go
// test ./...` rather than waiting for a reviewer to notice it.
package layers
