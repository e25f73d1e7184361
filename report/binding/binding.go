// Package binding checks whether an organisation's old domain (the host
// of its legacy site) now points at its new site on the portal, and keeps
// the answer in the ledger: as an event, which the coordinator report
// replays, and as the site's last check.
package binding

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"perenos/store"
)

// Ledger names used for domain checks.
const (
	EventKind  store.EventKind = "domain" // one event per check; To is Bound or Unbound
	LedgerKind                 = "domain" // per site, key "last": the last Result
	Bound                      = "bound"
	Unbound                    = "unbound"
)

// DefaultPortalHost is the host a site's domain should point at; "{site}"
// is replaced by the portal site ID.
const DefaultPortalHost = "{site}.gosweb.gosuslugi.ru"

// ErrNoDomain says the organisation has no legacy site, so no domain to bind.
var ErrNoDomain = errors.New("the organisation has no legacy site, so no domain of its own to bind")

// Options tune a check.
type Options struct {
	// Resolver is the DNS server asked, host:port; empty means the first
	// nameserver of /etc/resolv.conf.
	Resolver string
	// PortalHost is where the domain must point: a CNAME to it, or the same
	// A/AAAA addresses ("{site}" is replaced; default DefaultPortalHost).
	PortalHost string
	// Timeout bounds each DNS exchange (default 3s).
	Timeout time.Duration
}

// Result is one domain check.
type Result struct {
	Org         string    `json:"org"`
	Domain      string    `json:"domain"`
	PortalHost  string    `json:"portal_host"`
	Bound       bool      `json:"bound"`
	Via         string    `json:"via,omitempty"` // CNAME, A, AAAA, A+AAAA or manual
	CNAMEs      []string  `json:"cnames,omitempty"`
	Addrs       []string  `json:"addrs,omitempty"`
	PortalAddrs []string  `json:"portal_addrs,omitempty"`
	Detail      string    `json:"detail"`
	Resolver    string    `json:"resolver,omitempty"`
	Checked     time.Time `json:"checked"`
	Actor       string    `json:"actor"`
}

// Status is Bound or Unbound.
func (r *Result) Status() string {
	if r.Bound {
		return Bound
	}
	return Unbound
}

// Domain is the host of an organisation's legacy site, lower-case.
func Domain(o *store.Org) (string, error) {
	if !o.HasLegacy() {
		return "", fmt.Errorf("organisation %s: %w", o.ID, ErrNoDomain)
	}
	u, err := url.Parse(o.LegacyURL)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("organisation %s: legacy_url %q has no host", o.ID, o.LegacyURL)
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), "."), nil
}

// Check asks DNS whether the organisation's old domain points at its
// portal site: a CNAME chain that reaches the portal host, or A/AAAA
// addresses that are all the portal host's. A domain that does not exist
// is unbound; a resolver that does not answer is an error, not an answer.
func Check(ctx context.Context, o *store.Org, opt Options) (*Result, error) {
	domain, err := Domain(o)
	if err != nil {
		return nil, err
	}
	if opt.PortalHost == "" {
		opt.PortalHost = DefaultPortalHost
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 3 * time.Second
	}
	if opt.Resolver == "" {
		cfg, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(cfg.Servers) == 0 {
			return nil, fmt.Errorf("no DNS resolver: give one with --resolver host:port (reading /etc/resolv.conf: %v)", err)
		}
		opt.Resolver = net.JoinHostPort(cfg.Servers[0], cfg.Port)
	}
	portal := strings.TrimSuffix(strings.ToLower(strings.ReplaceAll(opt.PortalHost, "{site}", o.PortalSite)), ".")
	r := &Result{Org: o.ID, Domain: domain, PortalHost: portal, Resolver: opt.Resolver}
	q := &querier{server: opt.Resolver, udp: &dns.Client{Net: "udp", Timeout: opt.Timeout}, tcp: &dns.Client{Net: "tcp", Timeout: opt.Timeout}}

	if domain == portal {
		r.Bound, r.Via, r.Detail = true, "CNAME", "the legacy host is the portal host itself"
		return r, nil
	}
	// Follow the CNAME chain from the old domain.
	name := domain
	for range 8 {
		msg, err := q.ask(ctx, name, dns.TypeCNAME)
		if err != nil {
			return nil, err
		}
		if msg.Rcode == dns.RcodeNameError && name == domain {
			r.Detail = fmt.Sprintf("%s does not exist in DNS (NXDOMAIN)", domain)
			return r, nil
		}
		next := ""
		for _, rr := range msg.Answer {
			if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(dns.Fqdn(name), c.Hdr.Name) {
				next = strings.TrimSuffix(strings.ToLower(c.Target), ".")
			}
		}
		if next == "" || slices.Contains(r.CNAMEs, next) {
			break
		}
		r.CNAMEs = append(r.CNAMEs, next)
		if next == portal {
			r.Bound, r.Via = true, "CNAME"
			r.Detail = fmt.Sprintf("%s is a CNAME of %s", domain, strings.Join(r.CNAMEs, " → "))
			return r, nil
		}
		name = next
	}
	// Compare addresses.
	if r.Addrs, err = q.addrs(ctx, domain); err != nil {
		return nil, err
	}
	if r.PortalAddrs, err = q.addrs(ctx, portal); err != nil {
		return nil, err
	}
	chain := ""
	if len(r.CNAMEs) > 0 {
		chain = " (via CNAME " + strings.Join(r.CNAMEs, " → ") + ")"
	}
	switch {
	case len(r.Addrs) == 0:
		r.Detail = fmt.Sprintf("%s has no A or AAAA records%s", domain, chain)
	case len(r.PortalAddrs) == 0:
		r.Detail = fmt.Sprintf("the portal host %s has no A or AAAA records to compare with; check --portal-host", portal)
	default:
		var foreign []string
		for _, a := range r.Addrs {
			if !slices.Contains(r.PortalAddrs, a) {
				foreign = append(foreign, a)
			}
		}
		if len(foreign) > 0 {
			r.Detail = fmt.Sprintf("%s points at %s%s, not at the portal (%s)", domain, strings.Join(foreign, ", "), chain, strings.Join(r.PortalAddrs, ", "))
			return r, nil
		}
		r.Bound, r.Via = true, addrKinds(r.Addrs)
		r.Detail = fmt.Sprintf("%s has the portal's addresses %s%s", domain, strings.Join(r.Addrs, ", "), chain)
	}
	return r, nil
}

func addrKinds(addrs []string) string {
	v4, v6 := false, false
	for _, a := range addrs {
		if strings.Contains(a, ":") {
			v6 = true
		} else {
			v4 = true
		}
	}
	switch {
	case v4 && v6:
		return "A+AAAA"
	case v6:
		return "AAAA"
	}
	return "A"
}

// querier asks one DNS server, over UDP with a TCP retry for truncated answers.
type querier struct {
	server   string
	udp, tcp *dns.Client
}

func (q *querier) ask(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	r, _, err := q.udp.ExchangeContext(ctx, m, q.server)
	if err == nil && r.Truncated {
		r, _, err = q.tcp.ExchangeContext(ctx, m, q.server)
	}
	if err != nil {
		return nil, fmt.Errorf("DNS %s %s via %s: %w", dns.TypeToString[qtype], name, q.server, err)
	}
	if r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError {
		return nil, fmt.Errorf("DNS %s %s via %s: %s", dns.TypeToString[qtype], name, q.server, dns.RcodeToString[r.Rcode])
	}
	return r, nil
}

// addrs returns the A and AAAA addresses name resolves to, sorted.
func (q *querier) addrs(ctx context.Context, name string) ([]string, error) {
	var out []string
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		msg, err := q.ask(ctx, name, t)
		if err != nil {
			return nil, err
		}
		for _, rr := range msg.Answer {
			switch a := rr.(type) {
			case *dns.A:
				out = append(out, a.A.String())
			case *dns.AAAA:
				out = append(out, a.AAAA.String())
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Manual is a binding recorded by hand, with the reason (for domains that
// DNS cannot show, e.g. bound through the portal's own proxy).
func Manual(o *store.Org, portalHost, reason string) (*Result, error) {
	domain, err := Domain(o)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, errors.New("a binding recorded by hand needs a reason (--reason)")
	}
	if portalHost == "" {
		portalHost = DefaultPortalHost
	}
	return &Result{Org: o.ID, Domain: domain, PortalHost: strings.ReplaceAll(portalHost, "{site}", o.PortalSite), Bound: true, Via: "manual",
		Detail: "recorded by hand: " + strings.TrimSpace(reason)}, nil
}

// Record writes a check to the ledger: the site's last check, and an
// event whose To is Bound or Unbound.
func Record(ws *store.Workspace, r *Result, actor string) error {
	prev, err := Last(ws, r.Org)
	if err != nil {
		return err
	}
	r.Checked, r.Actor = ws.Now(), actor
	if err := ws.Put(LedgerKind, r.Org, "last", r); err != nil {
		return err
	}
	from := ""
	if prev != nil {
		from = prev.Status()
	}
	return ws.Log(store.Event{Time: r.Checked, Actor: actor, Org: r.Org, Kind: EventKind, From: from, To: r.Status(), Reason: r.Detail})
}

// Last returns a site's last recorded check, or nil.
func Last(ws *store.Workspace, org string) (*Result, error) {
	var r Result
	err := ws.Get(LedgerKind, org, "last", &r)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("domain check of %s: %w", org, err)
	}
	return &r, nil
}

// Outcome is one site's check in a batch.
type Outcome struct {
	Org     string  `json:"org"`
	Result  *Result `json:"result,omitempty"`
	Skipped string  `json:"skipped,omitempty"`
	Error   string  `json:"error,omitempty"`
}

// CheckAll checks and records the domain of every organisation; one that
// has no legacy site is skipped, and a failed lookup does not stop the
// others. With manualReason set, each binding is recorded by hand instead.
func CheckAll(ctx context.Context, ws *store.Workspace, orgs []*store.Org, opt Options, manualReason, actor string) []Outcome {
	out := make([]Outcome, 0, len(orgs))
	for _, o := range orgs {
		oc := Outcome{Org: o.ID}
		var r *Result
		var err error
		if ctx.Err() != nil {
			oc.Skipped = "interrupted"
			out = append(out, oc)
			continue
		}
		if manualReason != "" {
			r, err = Manual(o, opt.PortalHost, manualReason)
		} else {
			r, err = Check(ctx, o, opt)
		}
		if err == nil {
			err = Record(ws, r, actor)
		}
		switch {
		case errors.Is(err, ErrNoDomain):
			oc.Skipped = err.Error()
		case err != nil:
			oc.Error = err.Error()
		default:
			oc.Result = r
		}
		out = append(out, oc)
	}
	return out
}
