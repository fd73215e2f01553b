package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/relctl/relctl/cmd/relctl/views"
	"github.com/relctl/relctl/planner"
)

// writeResult writes apply's result in its --json format to path, when
// path is set: relctl's action reads what was published from it while the
// log keeps apply's human progress. A failure to write is a warning, never
// a failed apply: what was published stays published.
func writeResult(env *Env, path string, res *planner.Result, applyErr error) {
	if path == "" {
		return
	}
	var buf bytes.Buffer
	err := views.ApplyJSON(&buf, res, applyErr)
	if err == nil {
		err = os.WriteFile(path, buf.Bytes(), 0o644)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "Warning: write the apply result to %s: %v\n", path, err)
	}
}
