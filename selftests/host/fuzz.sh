#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The libFuzzer harnesses, briefly: 'make fuzz' runs them longer.
exec "$(dirname "$0")/../fuzz/run" --time "${LMIG_FUZZ_TIME:-15}"
