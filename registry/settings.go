package registry

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/idna"

	"perenos/store"
)

// The per-site settings the registry checks; other extra columns are kept
// as they are.
const (
	SettingAliases      = "aliases"       // other host names of the site
	SettingDelayMS      = "delay_ms"      // least time between requests, ms
	SettingPerHost      = "per_host"      // requests in flight
	SettingCAFile       = "ca_file"       // extra TLS roots
	SettingInsecure     = "insecure"      // skip TLS verification: "true" or "false"
	SettingRegionCode   = "region_code"   // two-digit region code for act numbers
	SettingRobots       = "robots"        // "ignore": the crawler does not obey the site's robots.txt
	SettingRobotsReason = "robots_reason" // why robots may be ignored: required with robots=ignore
)

// RobotsIgnore is the value of the robots setting that lets the crawler
// ignore a site's robots.txt; RobotsObey (or no value) keeps it obeyed.
const (
	RobotsIgnore = "ignore"
	RobotsObey   = "obey"
)

// minRobotsReason is the least a reason for ignoring robots.txt must say:
// a few words, such as «письмо директора от 01.09.2024 № 12».
const minRobotsReason = 10

// RobotsIgnored reports whether the registry lets the crawler ignore o's
// robots.txt, and the reason it gives (the organisation consents to
// migrating its own site). The registry has checked both on import.
func RobotsIgnored(o *store.Org) (reason string, ignored bool) {
	if o.Settings[SettingRobots] != RobotsIgnore {
		return "", false
	}
	return o.Settings[SettingRobotsReason], true
}

// checkSettings validates and normalises the known settings of one row in
// place, returning the first bad one.
func checkSettings(s map[string]string) *RowError {
	bad := func(col, msg string) *RowError { return &RowError{Column: col, Msg: msg} }
	for k, v := range s {
		switch k {
		case SettingAliases:
			hosts := strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '|' || r == ';' })
			for i, h := range hosts {
				ascii, err := idna.Lookup.ToASCII(strings.ToLower(h))
				if why := badHost(ascii); why != "" || err != nil {
					return bad(k, fmt.Sprintf("%q is not a host name (aliases are host names such as www.school7.ru, separated by spaces or commas)", h))
				}
				hosts[i] = ascii
			}
			s[k] = strings.Join(hosts, " ")
		case SettingDelayMS:
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 600_000 {
				return bad(k, fmt.Sprintf("%q is not a number of milliseconds from 0 to 600000", v))
			}
		case SettingPerHost:
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 64 {
				return bad(k, fmt.Sprintf("%q is not a number of requests from 1 to 64", v))
			}
		case SettingInsecure:
			switch strings.ToLower(v) {
			case "true", "yes", "1", "да":
				s[k] = "true"
			case "false", "no", "0", "нет":
				s[k] = "false"
			default:
				return bad(k, fmt.Sprintf("%q is not true or false", v))
			}
		case SettingRegionCode:
			if len(v) != 2 || strings.Trim(v, "0123456789") != "" {
				return bad(k, fmt.Sprintf("%q is not a two-digit region code (38 for Irkutsk oblast)", v))
			}
		case SettingRobots:
			switch strings.ToLower(v) {
			case RobotsIgnore:
				s[k] = RobotsIgnore
			case RobotsObey:
				delete(s, k) // the default: nothing to keep
			default:
				return bad(k, fmt.Sprintf("%q: write ignore (with the reason in robots_reason) to crawl the site without obeying its robots.txt, or leave it empty", v))
			}
		}
	}
	reason := s[SettingRobotsReason]
	switch {
	case s[SettingRobots] == RobotsIgnore && len([]rune(reason)) < minRobotsReason:
		return bad(SettingRobotsReason, "robots=ignore needs the reason in robots_reason (the organisation's consent, e.g. «письмо директора от 01.09.2024 № 12»)")
	case s[SettingRobots] != RobotsIgnore && reason != "":
		return bad(SettingRobotsReason, "robots_reason is given but robots is not ignore: write ignore in robots, or clear the reason")
	}
	return nil
}
