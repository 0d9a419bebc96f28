# SPDX-License-Identifier: GPL-2.0-only
#
# A partner gateway in network namespaces, for the end-to-end tests and
# the demo (run as root where lmig.ko is loaded, e.g. in the test VM):
#
#   client "alice" ns            gateway ns "gw"                 MC server ns
#   10.0.1.2 ──veth── 10.0.1.1 [XDP]                         ┌──────────────┐
#   client "bob"   ns            │  lmigd :8443 (TLS)        │ lmig-probe   │
#   10.0.2.2 ──veth── 10.0.2.1 [XDP]  lmig.ko policy  10.9.0.1 ──veth── 10.9.0.2
#   ...                          │  forwards                 │ ptt  udp 5000│
#                                                            │ video udp 5100
#                                                            │ data udp 5200│
#                                                            │ other udp 7000
#                                                            │ deny udp 8809│
#                                                            └──────────────┘
#
# Clients reach the MC server through the gateway, whose XDP program
# judges every packet arriving from a client. Names carry a per-run
# prefix so that runs never collide; gw_cleanup removes everything.

GW_ISSUER=https://idms.primary.example
GW_ROGUE_ISSUER=https://idms.rogue.example
GW_AUDIENCE=https://mc.partner.example
GW_MCS=10.9.0.2
GW_PORT_PTT=5000
GW_PORT_VIDEO=5100
GW_PORT_DATA=5200
GW_PORT_OTHER=7000
GW_PORT_DENY=8809

gw_prefix=lm$$
gw_ns=${gw_prefix}gw
gw_mcs_ns=${gw_prefix}mcs
gw_instance=${gw_prefix}
gw_dir=
gw_agent_pid=
gw_echo_pids=()
gw_clients=()
declare -A gw_client_idx=()

# in NS COMMAND...: run COMMAND in a network namespace of this gateway.
# Only the network namespace is entered: "ip netns exec" would also
# remount /sys and hide the BPF filesystem at /sys/fs/bpf.
in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

gw_client_ns() {
	echo "${gw_prefix}c${gw_client_idx[$1]}"
}

gw_client_addr() {
	echo "10.0.${gw_client_idx[$1]}.2"
}

gw_gateway_addr() {
	echo "10.0.${gw_client_idx[$1]}.1"
}

# gw_init CLIENT...: namespaces, links, addresses, routes, PKI dir.
gw_init() {
	local name i=0

	gw_dir=$(mktemp -d /tmp/lmig-gw.XXXXXX)
	ip netns add "$gw_ns"
	ip netns add "$gw_mcs_ns"
	in_ns "$gw_ns" ip link set lo up
	in_ns "$gw_mcs_ns" ip link set lo up
	in_ns "$gw_ns" sysctl -qw net.ipv4.ip_forward=1

	ip link add "${gw_prefix}m0" netns "$gw_ns" type veth \
		peer name "${gw_prefix}m1" netns "$gw_mcs_ns"
	in_ns "$gw_ns" ip addr add 10.9.0.1/24 dev "${gw_prefix}m0"
	in_ns "$gw_ns" ip link set "${gw_prefix}m0" up
	in_ns "$gw_mcs_ns" ip addr add "$GW_MCS/24" dev "${gw_prefix}m1"
	in_ns "$gw_mcs_ns" ip link set "${gw_prefix}m1" up
	in_ns "$gw_mcs_ns" ip route add default via 10.9.0.1

	for name in "$@"; do
		i=$((i + 1))
		gw_clients+=("$name")
		gw_client_idx[$name]=$i
		local ns=${gw_prefix}c$i
		ip netns add "$ns"
		in_ns "$ns" ip link set lo up
		ip link add "${gw_prefix}g$i" netns "$gw_ns" type veth \
			peer name "${gw_prefix}c$i" netns "$ns"
		in_ns "$gw_ns" ip addr add "10.0.$i.1/24" dev "${gw_prefix}g$i"
		in_ns "$gw_ns" ip link set "${gw_prefix}g$i" up
		in_ns "$ns" ip addr add "10.0.$i.2/24" dev "${gw_prefix}c$i"
		in_ns "$ns" ip link set "${gw_prefix}c$i" up
		in_ns "$ns" ip route add default via "10.0.$i.1"
	done
}

# gw_pki: the primary IdMS (trusted), a rogue IdMS (not), the gateway's
# TLS certificate signed by a test CA the clients trust.
gw_pki() {
	local ips=() name

	lmig-idms keygen --alg ES256 --key "$gw_dir/primary.key" \
		--cert "$gw_dir/primary.pem" --subject "/CN=idms.primary.example"
	lmig-idms keygen --alg ES256 --key "$gw_dir/rogue.key" \
		--cert "$gw_dir/rogue.pem" --subject "/CN=idms.rogue.example"
	lmig-idms tls-cert --ca --key "$gw_dir/ca.key" --cert "$gw_dir/ca.pem"
	for name in "${gw_clients[@]}"; do
		ips+=(--ip "$(gw_gateway_addr "$name")")
	done
	lmig-idms tls-cert --key "$gw_dir/gateway.key" \
		--cert "$gw_dir/gateway.pem" --ca-key "$gw_dir/ca.key" \
		--ca-cert "$gw_dir/ca.pem" "${ips[@]}"
}

# gw_config: lmigd.conf for this gateway, every client link enforced.
gw_config() {
	local i

	{
		echo "audience $GW_AUDIENCE"
		echo "listen 0.0.0.0:8443"
		echo "tls-certificate gateway.pem"
		echo "tls-key gateway.key"
		echo "issuer $GW_ISSUER primary.pem ES256"
		echo "clock-skew 5"
		echo "instance $gw_instance"
		for i in $(seq 1 ${#gw_clients[@]}); do
			echo "interface ${gw_prefix}g$i"
		done
		echo "unclassified pass"
		echo "service ptt udp $GW_PORT_PTT-$((GW_PORT_PTT + 99))"
		echo "service video udp $GW_PORT_VIDEO-$((GW_PORT_VIDEO + 99))"
		echo "service data udp $GW_PORT_DATA-$((GW_PORT_DATA + 99))"
		echo "service deny udp $GW_PORT_DENY"
		echo "open-limit-source 100 200"
		echo "open-limit-total 20000 40000"
		echo "denial-samples 10"
	} > "$gw_dir/lmigd.conf"
}

# gw_start_agent: lmigd in the gateway namespace; waits until it answers.
gw_start_agent() {
	local i

	# nsenter execs lmigd, so $! is lmigd itself (a function would fork).
	nsenter --net="/run/netns/$gw_ns" -- lmigd -c "$gw_dir/lmigd.conf" \
		>> "$gw_dir/lmigd.log" 2>&1 &
	gw_agent_pid=$!
	for i in $(seq 1 100); do
		if ! kill -0 "$gw_agent_pid" 2>/dev/null; then
			gw_agent_pid=
			return 1
		fi
		if gw_client_request "${gw_clients[0]}" GET /healthz \
			>/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

gw_stop_agent() {
	[ -n "$gw_agent_pid" ] || return 0
	kill "$gw_agent_pid" 2>/dev/null
	wait "$gw_agent_pid" 2>/dev/null
	gw_agent_pid=
}

# gw_start_mc_server: echo services on the MC server, bounded in time.
gw_start_mc_server() {
	local port

	for port in $GW_PORT_PTT $GW_PORT_VIDEO $GW_PORT_DATA $GW_PORT_OTHER \
		$GW_PORT_DENY; do
		nsenter --net="/run/netns/$gw_mcs_ns" -- lmig-probe echo \
			--listen "0.0.0.0:$port" --timeout 900 &
		gw_echo_pids+=($!)
	done
}

# gw_mint CLIENT-TOKEN-OPTIONS...: a token from the primary IdMS.
gw_mint() {
	lmig-idms mint --key "$gw_dir/primary.key" --iss "$GW_ISSUER" \
		--aud "$GW_AUDIENCE" "$@"
}

# gw_client_request CLIENT METHOD PATH [TOKEN]: prints "HTTP n" and body.
gw_client_request() {
	local client=$1 method=$2 path=$3 token=${4:-}
	local args=(--connect "$(gw_gateway_addr "$client"):8443"
		--ca "$gw_dir/ca.pem" --method "$method" --path "$path"
		--timeout 10)

	[ -n "$token" ] && args+=(--token "$token")
	in_ns "$(gw_client_ns "$client")" lmig-admit "${args[@]}"
}

# gw_traffic CLIENT PORT [COUNT]: datagrams echoed back (0..COUNT).
gw_traffic() {
	local client=$1 port=$2 count=${3:-3}

	in_ns "$(gw_client_ns "$client")" lmig-probe send \
		--to "$GW_MCS:$port" --count "$count" --wait-ms 300 |
		awk '{print $4}'
}

# gw_ctl ARGS...: lmigctl in the gateway namespace, on this instance.
# gw_wait_traffic CLIENT PORT WANT: gw_traffic of one datagram, retried
# for up to 5 s until it is WANT (the agent follows kernel events
# asynchronously); prints the last answer.
gw_wait_traffic() {
	local client=$1 port=$2 want=$3 got i
	for i in $(seq 50); do
		got=$(gw_traffic "$client" "$port" 1)
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	echo "$got"
}

# gw_admit CLIENT: present a fresh ptt token of sip:CLIENT@primary.example;
# prints the status line.
gw_admit() {
	gw_client_request "$1" POST /v1/admission "$(gw_mint \
		--scope 3gpp:mc:ptt_service --mcptt-id "sip:$1@primary.example")" |
		head -n 1
}

# gw_admissions: how many admissions the fast path's map holds, whatever
# the kernel table says.
gw_admissions() {
	bpftool -j map dump pinned "/sys/fs/bpf/lmig/$gw_instance/lmig_admission" |
		jq length
}

gw_ctl() {
	in_ns "$gw_ns" lmigctl -i "$gw_instance" "$@"
}

# gw_counter REASON [CLASS]: packets counted for a verdict reason, in
# all or in one traffic class.
gw_counter() {
	if [ -n "${2:-}" ]; then
		gw_ctl -j show | jq -r ".classes.$2.$1.packets // 0"
	else
		gw_ctl -j show | jq -r ".counters.$1.packets"
	fi
}

# gw_traffic_of PARTNER-ID FIELD: the user's fast-path traffic counter
# (packets, bytes, drops), 0 when the user holds no state there.
gw_traffic_of() {
	gw_ctl -j show | jq -r --arg id "$1" \
		".profiles[] | select(.partner_id==\$id) | .traffic.$2 // 0"
}

gw_cleanup() {
	local pid ns

	gw_stop_agent
	for pid in "${gw_echo_pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	for ns in $(ip netns list | awk '{print $1}' | grep "^${gw_prefix}"); do
		ip netns del "$ns"
	done
	rm -rf "/sys/fs/bpf/lmig/$gw_instance"
	[ -n "$gw_dir" ] && [ -z "${GW_KEEP:-}" ] && rm -rf "$gw_dir"
}
