package views

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/relctl/relctl/ci"
	"github.com/relctl/relctl/planner"
)

// Verify renders the checks of `relctl verify` as a table.
func Verify(w io.Writer, v *ci.Verification, st Style) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHART\tVERSION\tCHECK\tRESULT\tDETAIL")
	failed := 0
	for _, c := range v.Checks {
		result := st.Green("ok")
		if !c.OK {
			result = st.Red("FAILED")
			failed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Chart, c.Version, c.Name, result, c.Detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		_, err := fmt.Fprintf(w, "\n%s %d of %d checks failed.\n", st.Red(st.Bold("Verification failed:")), failed, len(v.Checks))
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s %d checks passed.\n", st.Green(st.Bold("Verified:")), len(v.Checks))
	return err
}

// VerifyJSON renders the checks in the versioned JSON format.
func VerifyJSON(w io.Writer, v *ci.Verification) error {
	out := struct {
		FormatVersion string     `json:"format_version"`
		OK            bool       `json:"ok"`
		Checks        []ci.Check `json:"checks"`
	}{FormatVersion: planner.FormatVersion, OK: v.OK(), Checks: append([]ci.Check{}, v.Checks...)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
