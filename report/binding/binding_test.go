package binding

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"perenos/store"
)

// zone is a tiny recursive resolver's view of DNS: records by name, CNAMEs
// followed for A and AAAA questions as a real resolver would.
type zone map[string][]string // fqdn → "CNAME target." | "A 1.2.3.4" | "AAAA ::1"

func (z zone) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	if _, ok := z[name]; !ok {
		m.Rcode = dns.RcodeNameError
		w.WriteMsg(m)
		return
	}
	for range 10 {
		next := ""
		for _, rec := range z[name] {
			kind, val, _ := strings.Cut(rec, " ")
			rr, err := dns.NewRR(name + " 300 IN " + kind + " " + val)
			if err != nil {
				panic(err)
			}
			switch {
			case kind == "CNAME":
				m.Answer = append(m.Answer, rr)
				next = val
			case dns.StringToType[kind] == q.Qtype:
				m.Answer = append(m.Answer, rr)
			}
		}
		if next == "" || q.Qtype == dns.TypeCNAME {
			break
		}
		name = next
	}
	w.WriteMsg(m)
}

// serveDNS runs z on a loopback UDP port and returns its address.
func serveDNS(t *testing.T, z zone) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: z, NotifyStartedFunc: func() { close(started) }}
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

var testZone = zone{
	"school7.ru.":                      {"CNAME sh7-r38.gosweb.gosuslugi.ru."},
	"sh7-r38.gosweb.gosuslugi.ru.":     {"A 203.0.113.10"},
	"gym1.ru.":                         {"A 203.0.113.20", "AAAA 2001:db8::20"},
	"gym1-r38.gosweb.gosuslugi.ru.":    {"A 203.0.113.20", "AAAA 2001:db8::20"},
	"chain.ru.":                        {"CNAME cdn.example.net."},
	"cdn.example.net.":                 {"CNAME chain-r38.gosweb.gosuslugi.ru."},
	"chain-r38.gosweb.gosuslugi.ru.":   {"A 203.0.113.30"},
	"old.ru.":                          {"A 198.51.100.7"},
	"old-r38.gosweb.gosuslugi.ru.":     {"A 203.0.113.40"},
	"mixed.ru.":                        {"A 203.0.113.50", "A 198.51.100.8"},
	"mixed-r38.gosweb.gosuslugi.ru.":   {"A 203.0.113.50"},
	"www.hosting.ru.":                  {"CNAME shared.hosting.ru."},
	"shared.hosting.ru.":               {"A 198.51.100.9"},
	"hosting-r38.gosweb.gosuslugi.ru.": {"A 203.0.113.60"},
	"noportal.ru.":                     {"A 203.0.113.70"},
}

func org(id, legacy, site string) *store.Org {
	return &store.Org{ID: id, Name: "Школа " + id, Type: store.School, LegacyURL: legacy, PortalSite: site}
}

func TestCheckAgainstLoopbackDNS(t *testing.T) {
	addr := serveDNS(t, testZone)
	opt := Options{Resolver: addr, Timeout: 2 * time.Second}
	for _, tc := range []struct {
		org    *store.Org
		bound  bool
		via    string
		detail string
	}{
		{org("1", "http://school7.ru/", "sh7-r38"), true, "CNAME", "CNAME of sh7-r38.gosweb.gosuslugi.ru"},
		{org("2", "https://GYM1.ru/index.php", "gym1-r38"), true, "A+AAAA", "portal's addresses 2001:db8::20, 203.0.113.20"},
		{org("3", "http://chain.ru/", "chain-r38"), true, "CNAME", "cdn.example.net → chain-r38.gosweb.gosuslugi.ru"},
		{org("4", "http://old.ru/", "old-r38"), false, "", "points at 198.51.100.7, not at the portal"},
		{org("5", "http://mixed.ru/", "mixed-r38"), false, "", "points at 198.51.100.8"},
		{org("6", "http://missing.ru/", "missing-r38"), false, "", "NXDOMAIN"},
		{org("7", "http://www.hosting.ru/", "hosting-r38"), false, "", "via CNAME shared.hosting.ru"},
		{org("8", "http://noportal.ru/", "noportal-r38"), false, "", "check --portal-host"},
	} {
		r, err := Check(context.Background(), tc.org, opt)
		if err != nil {
			t.Errorf("%s: %v", tc.org.LegacyURL, err)
			continue
		}
		if r.Bound != tc.bound || r.Via != tc.via || !strings.Contains(r.Detail, tc.detail) {
			t.Errorf("%s: bound %v via %q: %s; want bound %v via %q with %q", tc.org.LegacyURL, r.Bound, r.Via, r.Detail, tc.bound, tc.via, tc.detail)
		}
	}
}

func TestCheckPortalHostFlag(t *testing.T) {
	addr := serveDNS(t, zone{"school.ru.": {"CNAME sites.portal.test."}, "sites.portal.test.": {"A 203.0.113.1"}})
	r, err := Check(context.Background(), org("1", "http://school.ru/", "s1"), Options{Resolver: addr, PortalHost: "sites.portal.test"})
	if err != nil || !r.Bound || r.PortalHost != "sites.portal.test" {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestCheckErrors(t *testing.T) {
	if _, err := Check(context.Background(), org("1", "", "s1"), Options{Resolver: "127.0.0.1:1"}); !errors.Is(err, ErrNoDomain) {
		t.Fatalf("no legacy site: %v", err)
	}
	// A port nobody answers on: an error, never "unbound".
	pc, _ := net.ListenPacket("udp", "127.0.0.1:0")
	silent := pc.LocalAddr().String()
	defer pc.Close()
	_, err := Check(context.Background(), org("1", "http://school7.ru/", "s1"), Options{Resolver: silent, Timeout: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), silent) {
		t.Fatalf("silent resolver: %v", err)
	}
}

func TestRecordWritesEventAndLedger(t *testing.T) {
	ws := store.TestStore(t)
	o := org("3801000001", "http://old.ru/", "old-r38")
	if _, err := ws.UpsertOrg("test", *o); err != nil {
		t.Fatal(err)
	}
	addr := serveDNS(t, testZone)
	r, err := Check(context.Background(), o, Options{Resolver: addr})
	if err != nil {
		t.Fatal(err)
	}
	if err := Record(ws, r, "operator:test"); err != nil {
		t.Fatal(err)
	}
	m, err := Manual(o, "", "")
	if err == nil {
		t.Fatalf("a manual binding without a reason: %+v", m)
	}
	m, err = Manual(o, "", "домен подключён через прокси портала, письмо № 12 от 01.12.2023")
	if err != nil {
		t.Fatal(err)
	}
	if err := Record(ws, m, "operator:test"); err != nil {
		t.Fatal(err)
	}
	last, err := Last(ws, o.ID)
	if err != nil || last == nil || !last.Bound || last.Via != "manual" || last.Actor != "operator:test" {
		t.Fatalf("last check %+v %v", last, err)
	}
	evs, _ := ws.Events(o.ID)
	var got []string
	for _, e := range evs {
		if e.Kind == EventKind {
			got = append(got, e.From+"→"+e.To)
		}
	}
	if strings.Join(got, " ") != "→unbound unbound→bound" {
		t.Fatalf("domain events %v", got)
	}
}
