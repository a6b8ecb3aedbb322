#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| software_statement::fuzz_targets::trust_file(data));
