package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"perenos/urlaudit"
)

// urlsOptions are the flags of urls.
type urlsOptions struct {
	Sel     selectorOptions
	Status  string
	Format  string
	JSON    bool
	Out     string
	Broken  bool
	Changes bool
}

func (o *urlsOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if o.JSON {
		o.Format = "json"
	}
	if !slices.Contains(urlaudit.Formats, o.Format) {
		return &usageError{fmt.Sprintf("--format %q: want one of %s", o.Format, strings.Join(urlaudit.Formats, ", "))}
	}
	if _, err := urlaudit.ParseStatus(o.Status); err != nil {
		return &usageError{"--status: " + err.Error()}
	}
	if err := refuseBinaryToTerminal(g, o.Format == "xlsx", o.Out, "--format xlsx writes a workbook: give --out FILE.xlsx"); err != nil {
		return err
	}
	return absPath(&o.Out)
}

func newURLsCommand(g *globalOptions) *cobra.Command {
	var o urlsOptions
	cmd := &cobra.Command{
		Use:   "urls ORG... | --all",
		Short: "Audit every URL a crawl saw: status, type, size, depth, links to it, title, where it went",
		Long: `List every URL the last crawl of each site saw, as a site-migration audit: its status, content
type, size, depth, the number of links to it, where its redirects ended, its title, why the crawl
left it out (robots.txt, a guard), and where it went in the plan (the sections, or excluded and
why). --status 4xx|5xx|3xx|2xx|error keeps one class. --broken lists instead the links from
migrated pages to pages of the old site that were not migrated (they break after the domain
switch), and --changes the URLs behind the last re-crawl's new, changed and gone counts.

Formats: text (default), csv (Excel in Russian locales), xlsx (with --out or a pipe), json;
--json is --format json.`,
		RunE: func(cmd *cobra.Command, args []string) error { return ledgerRun(cmd, g, "urls", &o, args, runURLs) },
	}
	o.Sel.addFlags(cmd.Flags())
	f := cmd.Flags()
	f.StringVar(&o.Status, "status", "", "only URLs whose answer is in this class: 2xx, 3xx, 4xx, 5xx or error")
	f.StringVar(&o.Format, "format", "text", "output format: text, csv, xlsx or json")
	f.BoolVar(&o.JSON, "json", false, "the same as --format json")
	f.StringVarP(&o.Out, "out", "o", "", "write to this file instead of standard output")
	f.BoolVar(&o.Broken, "broken", false, "list the broken links of the new site instead")
	f.BoolVar(&o.Changes, "changes", false, "list the URLs the last re-crawl found new, changed and gone instead")
	return cmd
}

func runURLs(ctx context.Context, g *globalOptions, o *urlsOptions, args []string) error {
	ws, unlock, err := openWorkspace(ctx, g, "urls")
	if err != nil {
		return err
	}
	defer unlock()
	orgs, err := selectOrgs(ws, o.Sel, args)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch {
	case o.Changes:
		out := map[string]*urlaudit.Changes{}
		for _, org := range orgs {
			c, err := urlaudit.LastChanges(ws, org.ID)
			if err != nil {
				return err
			}
			out[org.ID] = c
		}
		if o.Format != "json" && o.Format != "text" {
			return &usageError{"--changes prints text or json"}
		}
		if o.Format == "json" {
			if err := printJSON(&buf, out); err != nil {
				return err
			}
		} else {
			for _, org := range orgs {
				c := out[org.ID]
				if c == nil {
					fmt.Fprintf(&buf, "%s: no re-crawl yet\n", org.ID)
					continue
				}
				for _, l := range []struct {
					what string
					urls []string
				}{{"new", c.New}, {"changed", c.Changed}, {"gone", c.Gone}} {
					for _, u := range l.urls {
						fmt.Fprintf(&buf, "%s\t%s\t%s\n", org.ID, l.what, u)
					}
				}
			}
		}
	case o.Broken:
		var all []urlaudit.Broken
		for _, org := range orgs {
			bs, err := urlaudit.BrokenLinks(ws, org)
			if err != nil {
				return fmt.Errorf("organisation %s: %w", org.ID, err)
			}
			all = append(all, bs...)
		}
		if err := urlaudit.WriteBroken(&buf, o.Format, all); err != nil {
			return err
		}
	default:
		var all []urlaudit.Row
		for _, org := range orgs {
			rows, err := urlaudit.Audit(ws, org.ID, urlaudit.Options{Status: o.Status})
			if err != nil {
				return fmt.Errorf("organisation %s: %w", org.ID, err)
			}
			all = append(all, rows...)
		}
		if err := urlaudit.Write(&buf, o.Format, all); err != nil {
			return err
		}
	}
	return writeOut(g, o.Out, buf.Bytes(), "URL audit")
}
