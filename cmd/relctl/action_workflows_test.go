package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/relctl/relctl/examples"
)

// workflow is the part of a GitHub Actions workflow these tests read.
type workflow struct {
	On          map[string]any    `json:"on"`
	Permissions map[string]string `json:"permissions"`
	Concurrency *struct {
		Group            string `json:"group"`
		CancelInProgress bool   `json:"cancel-in-progress"`
	} `json:"concurrency"`
	Jobs map[string]struct {
		Permissions map[string]string `json:"permissions"`
		Steps       []struct {
			ID   string         `json:"id"`
			Uses string         `json:"uses"`
			Run  string         `json:"run"`
			With map[string]any `json:"with"`
		} `json:"steps"`
	} `json:"jobs"`
}

// parseWorkflow reads a workflow. YAML 1.1 (which sigs.k8s.io/yaml speaks)
// reads an unquoted `on:` key as the boolean true, as some linters warn;
// GitHub reads it as "on", and so does this.
func parseWorkflow(b []byte) (*workflow, error) {
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	if v, ok := raw["true"]; ok {
		raw["on"] = v
		delete(raw, "true")
	}
	j, err := yaml.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var wf workflow
	if err := yaml.Unmarshal(j, &wf); err != nil {
		return nil, err
	}
	return &wf, nil
}

// relctlInvocations lists every relctl command line a workflow runs: the
// action's command and args, and `relctl ...` lines of run steps.
func relctlInvocations(wf *workflow) [][]string {
	var out [][]string
	for _, job := range wf.Jobs {
		for _, st := range job.Steps {
			if isRelctlAction(st.Uses) {
				args, _ := st.With["args"].(string)
				command, _ := st.With["command"].(string)
				out = append(out, append([]string{command}, strings.Fields(args)...))
			}
			for _, line := range strings.Split(st.Run, "\n") {
				f := strings.Fields(line)
				if len(f) > 1 && f[0] == "relctl" {
					out = append(out, f[1:])
				}
			}
		}
	}
	return out
}

func isRelctlAction(uses string) bool {
	return strings.HasPrefix(uses, "relctl/relctl@") || uses == "./"
}

// checkInvocation reports a command or flag that relctl's command tree does
// not have. args are as a shell would split them.
func checkInvocation(root *cobra.Command, args []string) error {
	if len(args) == 0 || args[0] == "" {
		return fmt.Errorf("no command")
	}
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root {
		return fmt.Errorf("relctl has no command %q", args[0])
	}
	for _, a := range rest {
		if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var found bool
		if strings.HasPrefix(a, "--") {
			found = cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil
		} else {
			found = cmd.Flags().ShorthandLookup(name[:1]) != nil || cmd.InheritedFlags().ShorthandLookup(name[:1]) != nil
		}
		if !found {
			return fmt.Errorf("relctl %s has no flag %s", cmd.Name(), a)
		}
	}
	return nil
}

func testRoot() *cobra.Command {
	return rootCmd(&globals{}, &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
}

func readExampleWorkflow(t *testing.T, name string) *workflow {
	t.Helper()
	b, err := fs.ReadFile(examples.Workflows, "workflows/"+name)
	if err != nil {
		t.Fatal(err)
	}
	wf, err := parseWorkflow(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return wf
}

// The example workflows are what `relctl init` writes and what the README
// shows: each must trigger when it should, hold the permissions its command
// needs (and no write it does not), and run only commands and flags relctl
// has today — read from the command tree, so a renamed flag fails here.
func TestExampleWorkflows_triggersPermissionsAndEveryCommandAndFlagExist(t *testing.T) {
	root := testRoot()
	cases := []struct {
		file      string
		trigger   string
		command   string
		needs     map[string]string
		noWriteOf []string
	}{
		{"relctl-plan.yaml", "pull_request", "plan",
			map[string]string{"pull-requests": "write", "contents": "read"},
			[]string{"contents", "packages", "id-token"}},
		{"relctl-apply.yaml", "push", "apply",
			map[string]string{"contents": "write", "packages": "write", "id-token": "write"},
			nil},
		{"relctl-drift.yaml", "schedule", "drift",
			map[string]string{"issues": "write", "contents": "read"},
			[]string{"contents", "packages", "id-token"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			wf := readExampleWorkflow(t, c.file)
			if _, ok := wf.On[c.trigger]; !ok {
				t.Errorf("triggers %v, want %s", keys(wf.On), c.trigger)
			}
			for perm, want := range c.needs {
				if got := wf.Permissions[perm]; got != want {
					t.Errorf("permissions.%s = %q, want %q", perm, got, want)
				}
			}
			for _, perm := range c.noWriteOf {
				if wf.Permissions[perm] == "write" {
					t.Errorf("permissions.%s = write: %s needs no write there", perm, c.command)
				}
			}
			inv := relctlInvocations(wf)
			if len(inv) == 0 || inv[0][0] != c.command {
				t.Fatalf("relctl invocations %v, want the action running %s", inv, c.command)
			}
			for _, args := range inv {
				if err := checkInvocation(root, args); err != nil {
					t.Errorf("%s: %v", c.file, err)
				}
			}
		})
	}
	apply := readExampleWorkflow(t, "relctl-apply.yaml")
	if apply.Concurrency == nil || apply.Concurrency.Group == "" || apply.Concurrency.CancelInProgress {
		t.Errorf("apply concurrency = %+v: want a group that never cancels a running apply", apply.Concurrency)
	}
	push, _ := apply.On["push"].(map[string]any)
	if br, _ := push["branches"].([]any); len(br) == 0 {
		t.Errorf("apply runs on push to %v: want the release branch only", push["branches"])
	}
}

// The check above can fail: an unknown flag, a flag of another command and
// an unknown command are each caught.
func TestCheckInvocation_rejectsWhatRelctlDoesNotHave(t *testing.T) {
	root := testRoot()
	for _, args := range [][]string{
		{"plan", "--no-such-flag"},
		{"drift", "--auto-approve"}, // apply's, not drift's
		{"publish"},
	} {
		if err := checkInvocation(root, args); err == nil {
			t.Errorf("checkInvocation(%q) = nil, want an error", args)
		}
	}
	for _, args := range [][]string{
		{"plan", "--comment", "--chdir=deploy", "--var", "owner=acme"},
		{"apply", "--auto-approve", "--parallelism", "2"},
	} {
		if err := checkInvocation(root, args); err != nil {
			t.Errorf("checkInvocation(%q) = %v, want nil", args, err)
		}
	}
}

// The README's workflows use the action, with commands and flags that exist.
func TestReadmeWorkflows_useTheActionWithExistingFlags(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	root := testRoot()
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(b, -1)
	var actions int
	for _, m := range blocks {
		if !strings.Contains(string(m[1]), "jobs:") {
			continue
		}
		wf, err := parseWorkflow(m[1])
		if err != nil {
			t.Fatalf("README workflow: %v\n%s", err, m[1])
		}
		for _, job := range wf.Jobs {
			for _, st := range job.Steps {
				if isRelctlAction(st.Uses) {
					actions++
				}
				if strings.Contains(st.Run, "go install") {
					t.Errorf("README workflow compiles relctl on every run (%q): use the action", st.Run)
				}
			}
		}
		for _, args := range relctlInvocations(wf) {
			if err := checkInvocation(root, args); err != nil {
				t.Errorf("README: %v", err)
			}
		}
	}
	if actions == 0 {
		t.Error("no README workflow uses relctl's action")
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// action.yml has the inputs and outputs the README documents, each output
// wired to what `relctl github-action` writes, and runs only flags relctl has.
func TestActionYAML_inputsOutputsAndTheCommandItRuns(t *testing.T) {
	b, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs  map[string]any `json:"inputs"`
		Outputs map[string]struct {
			Value string `json:"value"`
		} `json:"outputs"`
		Runs struct {
			Using string `json:"using"`
			Steps []struct {
				ID  string `json:"id"`
				Run string `json:"run"`
			} `json:"steps"`
		} `json:"runs"`
	}
	if err := yaml.Unmarshal(b, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite (no Docker)", action.Runs.Using)
	}
	for _, in := range []string{"version", "command", "args", "working-directory", "github-token"} {
		if _, ok := action.Inputs[in]; !ok {
			t.Errorf("no input %s", in)
		}
	}
	for _, out := range []string{"has-changes", "blocked", "plan-json", "published"} {
		if got, want := action.Outputs[out].Value, "${{ steps.run.outputs."+out+" }}"; got != want {
			t.Errorf("output %s = %q, want %q", out, got, want)
		}
	}
	root := testRoot()
	var ran bool
	for _, st := range action.Runs.Steps {
		f := strings.Fields(st.Run)
		switch {
		case len(f) > 1 && (f[0] == "relctl" || f[0] == `"$RELCTL"`):
			ran = true
			if err := checkInvocation(root, f[1:]); err != nil {
				t.Error(err)
			}
		case strings.Contains(st.Run, "action/install.sh"):
			if _, err := os.Stat("../../action/install.sh"); err != nil {
				t.Error(err)
			}
		}
	}
	if !ran {
		t.Error("action.yml never runs relctl")
	}
}
