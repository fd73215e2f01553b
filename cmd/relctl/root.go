package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/relctl/relctl/cmd/relctl/views"
)

// globals are the flags every command takes.
type globals struct {
	chdir    string
	vars     []string
	varFiles []string
	noColor  bool
}

func (g *globals) dir() (string, error) {
	if g.chdir == "" {
		return filepath.Abs(".")
	}
	return filepath.Abs(g.chdir)
}

func (g *globals) style(env *Env) views.Style {
	return views.Style{Color: env.IsTerminal && !g.noColor && env.Getenv("NO_COLOR") == ""}
}

func run(ctx context.Context, args []string, env *Env) int {
	g := &globals{}
	root := rootCmd(g, env)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code, msg := codeOf(err)
	if msg != nil {
		fmt.Fprintf(env.Stderr, "%s %v\n", g.style(env).Red("Error:"), msg)
	}
	return code
}

// rootCmd builds the command tree; tests read it to check that the
// commands and flags documented elsewhere exist.
func rootCmd(g *globals, env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:           "relctl",
		Short:         "Publish Helm charts to OCI registries and GitHub Releases, plan then apply",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&g.chdir, "chdir", "", "run in `DIR` (where relctl.hcl is)")
	pf.StringArrayVar(&g.vars, "var", nil, "set a variable: `NAME=VALUE` (repeatable)")
	pf.StringArrayVar(&g.varFiles, "var-file", nil, "read variables from a `FILE` (repeatable)")
	pf.BoolVar(&g.noColor, "no-color", false, "disable colour")

	root.AddCommand(
		validateCmd(g, env),
		fmtCmd(g, env),
		planCmd(g, env),
		applyCmd(g, env),
		forceUnlockCmd(g, env),
		showCmd(g, env),
		driftCmd(g, env),
		verifyCmd(g, env),
		versionCmd(env),
		sandboxCmd(env),
		demoCmd(g, env),
		githubActionCmd(g, env),
		initCmd(g, env),
	)
	return root
}
