package awssim

import (
	"fmt"
	"net/netip"
	"sort"
)

type tgwRouteAttachment struct {
	ResourceId                 string `xml:"resourceId"`
	TransitGatewayAttachmentId string `xml:"transitGatewayAttachmentId"`
	ResourceType               string `xml:"resourceType"`
}

type tgwRouteOut struct {
	DestinationCidrBlock      string               `xml:"destinationCidrBlock"`
	TransitGatewayAttachments []tgwRouteAttachment `xml:"transitGatewayAttachments>item,omitempty"`
	Type                      string               `xml:"type"`
	State                     string               `xml:"state"`
}

// searchTGWRoutes answers SearchTransitGatewayRoutes: the route table is
// required, so are filters (the API refuses a search without one);
// MaxResults is 5-1000 (default 1000) and AdditionalRoutesAvailable says
// when more routes matched than were returned.
func (sc *Scenario) searchTGWRoutes(form map[string][]string) (any, error) {
	id := first(form["TransitGatewayRouteTableId"])
	var rt *TGWRouteTable
	for i := range sc.EC2.TransitGatewayRouteTables {
		if sc.EC2.TransitGatewayRouteTables[i].TransitGatewayRouteTableId == id {
			rt = &sc.EC2.TransitGatewayRouteTables[i]
		}
	}
	if rt == nil {
		return nil, errBadRequest("InvalidRouteTableID.NotFound", fmt.Sprintf("Transit Gateway Route Table %s was deleted or does not exist.", id))
	}
	filters, err := ec2Filters(form)
	if err != nil {
		return nil, err
	}
	if len(filters) == 0 {
		return nil, errBadRequest("MissingParameter", "The request must contain the parameter Filters")
	}
	max, err := intParam(first(form["MaxResults"]), 1000)
	if err != nil {
		return nil, err
	}
	if err := checkBounds("ec2.SearchTransitGatewayRoutes.MaxResults", "InvalidParameterValue", max); err != nil {
		return nil, err
	}
	atts := map[string]TGWAttachment{}
	for _, a := range sc.tgwAttachments() {
		atts[a.TransitGatewayAttachmentId] = a
	}
	var out []tgwRouteOut
	for _, r := range rt.Routes {
		ro := tgwRouteOut{DestinationCidrBlock: r.DestinationCidrBlock, Type: orDefault(r.Type, "static"), State: orDefault(r.State, "active")}
		attrs := map[string][]string{"type": {ro.Type}, "state": {ro.State}}
		if a, ok := atts[r.TransitGatewayAttachmentId]; ok && ro.State != "blackhole" {
			ro.TransitGatewayAttachments = []tgwRouteAttachment{{a.ResourceId, a.TransitGatewayAttachmentId, a.ResourceType}}
			attrs["attachment.transit-gateway-attachment-id"] = []string{a.TransitGatewayAttachmentId}
			attrs["attachment.resource-id"] = []string{a.ResourceId}
			attrs["attachment.resource-type"] = []string{a.ResourceType}
		}
		ok := true
		for name, vals := range filters {
			ok = ok && tgwRouteFilter(name, vals, r.DestinationCidrBlock, attrs)
		}
		if ok {
			out = append(out, ro)
		}
	}
	if _, ok := filters["route-search.longest-prefix-match"]; ok {
		out = longestPrefix(out)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DestinationCidrBlock < out[j].DestinationCidrBlock })
	more := len(out) > max
	if more {
		out = out[:max]
	}
	return struct {
		Routes                    []tgwRouteOut `xml:"routeSet>item"`
		AdditionalRoutesAvailable bool          `xml:"additionalRoutesAvailable"`
	}{out, more}, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// tgwRouteFilter applies one SearchTransitGatewayRoutes filter.
func tgwRouteFilter(name string, vals []string, dest string, attrs map[string][]string) bool {
	d, err := netip.ParsePrefix(dest)
	for _, v := range vals {
		q, qerr := netip.ParsePrefix(v)
		if !q.IsValid() && qerr == nil {
			continue
		}
		switch name {
		case "route-search.exact-match":
			if err == nil && qerr == nil && d.Masked() == q.Masked() {
				return true
			}
		case "route-search.subnet-of-match": // routes inside the given CIDR
			if err == nil && qerr == nil && q.Bits() <= d.Bits() && q.Contains(d.Addr()) {
				return true
			}
		case "route-search.supernet-of-match", "route-search.longest-prefix-match": // routes containing it
			if err == nil && qerr == nil && d.Bits() <= q.Bits() && d.Contains(q.Addr()) {
				return true
			}
		default:
			if anyMatch(attrs[name], []string{v}) {
				return true
			}
		}
	}
	return false
}

// longestPrefix keeps the most specific of the matching routes.
func longestPrefix(routes []tgwRouteOut) []tgwRouteOut {
	best := -1
	var out []tgwRouteOut
	for _, r := range routes {
		p, err := netip.ParsePrefix(r.DestinationCidrBlock)
		if err != nil {
			continue
		}
		switch {
		case p.Bits() > best:
			best, out = p.Bits(), []tgwRouteOut{r}
		case p.Bits() == best:
			out = append(out, r)
		}
	}
	return out
}
