package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// githubActionCmd is what relctl's GitHub Action (action.yml) runs: one
// command, then its step outputs written to $GITHUB_OUTPUT. It lives in
// relctl, not in the action's shell, so the outputs come from relctl's own
// JSON read by relctl's own types (no jq, which self-hosted runners may
// lack), and the arguments are sorted between plan and apply with the
// command tree rather than by guesswork in shell.
func githubActionCmd(g *globals, env *Env) *cobra.Command {
	var command, args string
	cmd := &cobra.Command{
		Use:    "github-action",
		Short:  "Run a command for relctl's GitHub Action and write its step outputs",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a := &actionRun{env: env, args: append(g.flags(), strings.Fields(args)...)}
			a.tmp = env.Getenv("RUNNER_TEMP")
			if a.tmp == "" {
				a.tmp = os.TempDir()
			}
			var code int
			var err error
			switch command {
			case "plan":
				code, err = a.plan(cmd)
			case "apply":
				code, err = a.apply(cmd)
			case "drift":
				code = run(cmd.Context(), append([]string{"drift"}, a.args...), env)
				a.outputs.set("has-changes", fmt.Sprint(code == exitChanges))
			case "verify":
				code = run(cmd.Context(), append([]string{"verify"}, a.args...), env)
			default:
				return exitWith(exitError, fmt.Errorf("the action's command is %q: want plan, apply, drift or verify", command))
			}
			if werr := a.outputs.write(env.Getenv("GITHUB_OUTPUT")); werr != nil {
				fmt.Fprintf(env.Stderr, "Warning: %v\n", werr)
			}
			if err != nil {
				return exitWith(exitError, err)
			}
			if code != exitOK {
				return exitWith(code, nil)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&command, "command", "", "plan, apply, drift or verify")
	cmd.Flags().StringVar(&args, "args", "", "more arguments, split on white space")
	return cmd
}

// flags gives the global flags back as arguments, for the commands the
// action runs in turn.
func (g *globals) flags() []string {
	var out []string
	if g.chdir != "" {
		out = append(out, "--chdir", g.chdir)
	}
	for _, v := range g.vars {
		out = append(out, "--var", v)
	}
	for _, f := range g.varFiles {
		out = append(out, "--var-file", f)
	}
	if g.noColor {
		out = append(out, "--no-color")
	}
	return out
}

// actionRun is one run of the action.
type actionRun struct {
	env     *Env
	args    []string
	tmp     string
	outputs stepOutputs
}

func (a *actionRun) planPath() string   { return filepath.Join(a.tmp, "relctl-plan.json") }
func (a *actionRun) resultPath() string { return filepath.Join(a.tmp, "relctl-apply.json") }

// plan runs relctl plan, saving the plan for the plan-json output.
func (a *actionRun) plan(cmd *cobra.Command) (int, error) {
	os.Remove(a.planPath())
	code := run(cmd.Context(), append(append([]string{"plan"}, a.args...), "--out", a.planPath()), a.env)
	// Without a saved plan relctl plan has said why; there are no outputs.
	a.outputs.readPlan(a.planPath())
	return code, nil
}

// apply plans, then applies exactly that plan: the saved plan is what the
// plan-json output names, and stale-plan detection guarantees the apply did
// what it says.
func (a *actionRun) apply(cmd *cobra.Command) (int, error) {
	root := cmd.Root()
	planArgs, err := argsFor(root, "plan", a.args, "apply")
	if err != nil {
		return exitError, err
	}
	applyArgs, err := argsFor(root, "apply", a.args, "apply")
	if err != nil {
		return exitError, err
	}
	os.Remove(a.planPath())
	os.Remove(a.resultPath())
	a.outputs.set("published", "[]")
	code := run(cmd.Context(), append(append([]string{"plan"}, planArgs...), "--out", a.planPath()), a.env)
	p, err := a.outputs.readPlan(a.planPath())
	switch {
	case code != exitOK:
		return code, nil // relctl plan said why: an error, or blocked changes
	case err != nil:
		return exitError, err
	}
	if !p.HasChanges() {
		return exitOK, nil
	}
	code = run(cmd.Context(), append([]string{"apply", a.planPath(), "--result", a.resultPath()}, applyArgs...), a.env)
	if err := a.outputs.fromResult(a.resultPath(), p, a.env.Getenv("GITHUB_SERVER_URL")); err != nil {
		fmt.Fprintf(a.env.Stderr, "Warning: read what was published: %v\n", err)
	}
	return code, nil
}

// argsFor keeps the arguments that command accepts. A flag given for the
// action's command (user) that neither command has is an error, named as
// relctl would name it; positional arguments are refused, since the action
// passes the plan file itself.
func argsFor(root *cobra.Command, command string, args []string, user string) ([]string, error) {
	target, _, err := root.Find([]string{command})
	if err != nil {
		return nil, err
	}
	owner, _, err := root.Find([]string{user})
	if err != nil {
		return nil, err
	}
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			return nil, fmt.Errorf("args: %q is not a flag: the action passes the plan file to relctl %s itself", a, user)
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		found, takesValue := lookupFlag(owner, name)
		if !found {
			return nil, fmt.Errorf("args: relctl %s has no flag %s", user, a)
		}
		group := []string{a}
		if !hasValue && takesValue && i+1 < len(args) {
			i++
			group = append(group, args[i])
		}
		if ok, _ := lookupFlag(target, name); ok {
			out = append(out, group...)
		}
	}
	return out, nil
}

// lookupFlag finds a flag of cmd or of its parents by the name given on a
// command line ("chdir" of --chdir, "p" of -p), and says whether it takes
// a value (booleans do not).
func lookupFlag(cmd *cobra.Command, name string) (found, takesValue bool) {
	f := cmd.Flags().Lookup(name)
	if f == nil {
		f = cmd.InheritedFlags().Lookup(name)
	}
	if f == nil && len(name) == 1 {
		if f = cmd.Flags().ShorthandLookup(name); f == nil {
			f = cmd.InheritedFlags().ShorthandLookup(name)
		}
	}
	if f == nil {
		return false, false
	}
	return true, f.NoOptDefVal == ""
}
