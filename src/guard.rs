//! The first stage of the write path (docs/design.md §2): refuse input that is too
//! large, binary, not UTF-8 or empty, and redact secrets before anything is
//! distilled, written, indexed or committed.
//!
//! Redaction is a list of rules tried independently over the whole text.
//! Every rule is a `regex` pattern (linear time, no backtracking), optionally
//! with a named group `s` that marks the part to replace (so
//! `postgres://app:PASSWORD@db` keeps scheme, user and host) and an optional
//! check on the candidate (entropy, character mix). Rules earlier in the list
//! win where matches overlap, so a specific kind (`github-token`) beats the
//! generic `KEY=value` rule. Generic assignments are handled by their own
//! loop because the decision depends on the key name and on the value.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

/// Why an input was refused. Display text names the cause and the fix.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// `size` is `None` when reading stopped past the limit (a stream).
    #[error(
        "input is {}, over the limit of {limit}; split it, or raise limits.max_input_bytes in .mem/config.toml",
        too_large(*size, *limit)
    )]
    TooLarge { size: Option<usize>, limit: usize },
    #[error(
        "input looks binary (it contains NUL bytes or too many control characters); mem stores text: pass a text file, or extract the text first"
    )]
    Binary,
    #[error(
        "input is not valid UTF-8 (first invalid byte at offset {offset}); convert it first, e.g. `iconv -f latin1 -t utf-8`"
    )]
    NotUtf8 { offset: usize },
    #[error(
        "input is empty (nothing but whitespace); give the text to remember as an argument, on stdin or in a file"
    )]
    Empty,
}

/// How big an input over the limit is: its size when known, else "more
/// than" the limit (in MiB or KiB when it is a whole number of them).
fn too_large(size: Option<usize>, limit: usize) -> String {
    match size {
        Some(n) => format!("{n} bytes"),
        None if limit > 0 && limit.is_multiple_of(1 << 20) => {
            format!("more than {} MiB", limit >> 20)
        }
        None if limit > 0 && limit.is_multiple_of(1 << 10) => {
            format!("more than {} KiB", limit >> 10)
        }
        None => format!("more than {limit} bytes"),
    }
}

/// Checks raw input bytes: size limit first (refuse before looking further),
/// then binary (NUL byte, or >10% control chars other than \t \n \r \x0c),
/// then UTF-8, then empty. Returns the text on success, without a leading
/// UTF-8 byte order mark if there was one.
pub fn check_input(bytes: &[u8], max_bytes: usize) -> Result<String, InputError> {
    if bytes.len() > max_bytes {
        return Err(InputError::TooLarge {
            size: Some(bytes.len()),
            limit: max_bytes,
        });
    }
    if bytes.contains(&0) {
        return Err(InputError::Binary);
    }
    let control = bytes.iter().filter(|&&b| is_binary_control(b)).count();
    if control * 10 > bytes.len() {
        return Err(InputError::Binary);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    Ok(text.to_owned())
}

/// C0 controls and DEL, except the ones ordinary text uses.
fn is_binary_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f
}

/// How many secrets of one kind were replaced.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Redaction {
    pub kind: &'static str,
    pub count: usize,
}

/// The text with every secret replaced (see [`redact`]): for what mem shows
/// or indexes of text that did not come in through a guarded write (a note
/// written by hand, an entry pulled from a teammate).
pub fn hidden(text: &str) -> std::borrow::Cow<'_, str> {
    let (out, found) = redact(text);
    if found.is_empty() {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(out)
    }
}

/// Replaces every secret with `[REDACTED:<kind>]` and reports per kind how
/// many were replaced (kinds in order of first appearance). Text without
/// secrets comes back byte-identical with an empty Vec. Redacting twice
/// changes nothing the second time.
pub fn redact(text: &str) -> (String, Vec<Redaction>) {
    // In a process that redacts many texts (ingest, import), one pass of all
    // the rules at once first: most text has no secret. The set costs ~2 ms
    // to build, more than a one-off `mem add` saves, so the first few calls
    // go without it. Either way the same rules decide.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let bulk = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= 16;
    redact_with(text, bulk)
}

/// [`redact`], with the rule set as a pre-check or without.
fn redact_with(text: &str, pre_check: bool) -> (String, Vec<Redaction>) {
    let mut spans = Spans::default();
    if !pre_check || RULE_SET.is_match(text) {
        for rule in RULES.iter() {
            rule.collect(text, &mut spans);
        }
    }
    collect_assignments(text, &mut spans);
    collect_said_passwords(text, &mut spans);
    if spans.0.is_empty() {
        return (text.to_owned(), Vec::new());
    }

    let mut out = String::with_capacity(text.len());
    let mut report: Vec<Redaction> = Vec::new();
    let mut at = 0;
    for (&start, &(end, kind)) in &spans.0 {
        out.push_str(&text[at..start]);
        out.push_str("[REDACTED:");
        out.push_str(kind);
        out.push(']');
        at = end;
        match report.iter_mut().find(|r| r.kind == kind) {
            Some(r) => r.count += 1,
            None => report.push(Redaction { kind, count: 1 }),
        }
    }
    out.push_str(&text[at..]);
    (out, report)
}

/// Accepted, disjoint byte ranges: start -> (end, kind).
#[derive(Default)]
struct Spans(BTreeMap<usize, (usize, &'static str)>);

impl Spans {
    /// Adds the range unless it is empty or overlaps one already taken
    /// (earlier rules have priority).
    fn add(&mut self, start: usize, end: usize, kind: &'static str) {
        if start >= end {
            return;
        }
        // Spans are disjoint, so the one starting last before `end` is the
        // only one that can reach into [start, end).
        if let Some((_, &(prev_end, _))) = self.0.range(..end).next_back()
            && prev_end > start
        {
            return;
        }
        self.0.insert(start, (end, kind));
    }
}

struct Rule {
    kind: &'static str,
    re: Regex,
    /// Whether the pattern has a group `s` marking the part to replace.
    has_group: bool,
    /// Extra test on the part to replace.
    check: Option<fn(&str) -> bool>,
}

impl Rule {
    fn collect(&self, text: &str, spans: &mut Spans) {
        let ok = |s: &str| self.check.is_none_or(|f| f(s));
        if self.has_group {
            for caps in self.re.captures_iter(text) {
                if let Some(m) = caps.name("s")
                    && ok(m.as_str())
                {
                    spans.add(m.start(), m.end(), self.kind);
                }
            }
        } else {
            for m in self.re.find_iter(text) {
                if ok(m.as_str()) {
                    spans.add(m.start(), m.end(), self.kind);
                }
            }
        }
    }
}

/// Compiles a rule. Patterns are written with `\b`, which is rewritten to the
/// ASCII word boundary: secrets are ASCII, and the Unicode `\b` would keep the
/// fast DFA engines from running on non-ASCII text.
fn rule(kind: &'static str, pattern: &str, check: Option<fn(&str) -> bool>) -> Rule {
    let pattern = pattern.replace(r"\b", r"(?-u:\b)");
    let re = Regex::new(&pattern).unwrap_or_else(|e| panic!("guard rule {kind}: {e}"));
    let has_group = re.capture_names().any(|n| n == Some("s"));
    Rule {
        kind,
        re,
        has_group,
        check,
    }
}

/// Specific formats, highest priority first.
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        // A whole PEM / OpenSSH / PGP private key block, also inside a JSON
        // string where the newlines are a literal `\n`.
        rule(
            "private-key",
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----",
            None,
        ),
        // A block cut off before its END line: the header and the base64 body.
        rule(
            "private-key",
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:(?:\\[rn]|\s)+[A-Za-z0-9+/=]{16,})*",
            None,
        ),
        // scheme://user:PASSWORD@host: only the password goes. A raw `#` or
        // `?` is allowed in the password, as people write them unescaped.
        rule(
            "url-password",
            r#"(?i)\b[a-z][a-z0-9+.-]*://[^\s:/?#@"'<>]*:(?P<s>[^\s/@"'<>]+)@[a-z0-9\[]"#,
            Some(|v| !is_placeholder(v) && !is_placeholder_word(v)),
        ),
        rule(
            "slack-webhook",
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9_/-]{20,})",
            None,
        ),
        rule(
            "discord-webhook",
            r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{15,20}/(?P<s>[A-Za-z0-9_-]{60,})",
            None,
        ),
        rule("anthropic-key", r"\bsk-ant-[A-Za-z0-9_-]{32,}", None),
        rule(
            "openai-key",
            r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}",
            Some(mixed_alnum),
        ),
        rule(
            "github-token",
            r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
            None,
        ),
        rule(
            "gitlab-token",
            r"\b(?:(?:glpat|gldt|glrt|glcbt|glptt|glft|glimt|glagent|gloas|glsoat|glffct)-[A-Za-z0-9_-]{20,}|GR1348941[A-Za-z0-9_-]{20,})",
            None,
        ),
        rule(
            "slack-token",
            r"\b(?:xox[abeoprs]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,})",
            None,
        ),
        rule(
            "stripe-key",
            r"\b(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,})\b",
            None,
        ),
        rule(
            "aws-access-key-id",
            r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b",
            None,
        ),
        rule(
            "aws-secret-access-key",
            r#"(?i)\b(?:aws_?)?secret_?access_?key["']?[\t ]*(?::=|=>|=|:)[\t ]*["']?(?P<s>[A-Za-z0-9/+]{40,})"#,
            None,
        ),
        rule("google-api-key", r"\bAIza[0-9A-Za-z_-]{35}", None),
        rule(
            "jwt",
            r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*",
            None,
        ),
        rule("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b", None),
        rule("pypi-token", r"\bpypi-AgE[A-Za-z0-9_-]{50,}", None),
        rule(
            "huggingface-token",
            r"\bhf_[A-Za-z0-9]{34,}\b",
            Some(|v| has(v, u8::is_ascii_uppercase) && has(v, u8::is_ascii_lowercase)),
        ),
        rule(
            "sendgrid-key",
            r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}",
            None,
        ),
        rule("twilio-key", r"\bSK[0-9a-fA-F]{32}\b", None),
        rule("digitalocean-token", r"\bdo[opr]_v1_[a-f0-9]{64}\b", None),
        rule(
            "shopify-token",
            r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b",
            None,
        ),
        rule(
            "azure-storage-key",
            r"(?i)\b(?:AccountKey|SharedAccessKey)[\t ]*=[\t ]*(?P<s>[A-Za-z0-9+/]{20,}={0,2})",
            None,
        ),
        rule(
            "discord-bot-token",
            r"\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}",
            Some(|v| mixed_alnum(v.split('.').next().unwrap_or(v))),
        ),
        rule(
            "telegram-bot-token",
            r"\b[0-9]{8,10}:AA[A-Za-z0-9_-]{33}",
            None,
        ),
        rule(
            "docker-token",
            r"\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}",
            None,
        ),
        rule(
            "grafana-token",
            r"\b(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2})",
            None,
        ),
        rule(
            "vault-token",
            r"\bhv[sbr]\.[A-Za-z0-9_-]{24,}",
            Some(mixed_alnum),
        ),
        rule(
            "terraform-token",
            r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}",
            None,
        ),
        rule("linear-key", r"\blin_(?:api|oauth)_[A-Za-z0-9]{40}\b", None),
        rule(
            "postman-key",
            r"\bPMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}\b",
            None,
        ),
        rule(
            "newrelic-key",
            r"\bNR(?:AK|II|JS)-[A-Za-z0-9]{19,32}\b",
            None,
        ),
        rule(
            "sentry-token",
            r"\b(?:sntrys_eyJ[A-Za-z0-9+/=_-]{40,}|sntryu_[a-f0-9]{64})",
            None,
        ),
        rule(
            "doppler-token",
            r"\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}\b",
            None,
        ),
        rule(
            "age-secret-key",
            r"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b",
            None,
        ),
        rule("databricks-token", r"\bdapi[a-f0-9]{32}(?:-[0-9])?\b", None),
        rule("mailgun-key", r"\bkey-[a-f0-9]{32}\b", None),
        rule(
            "planetscale-token",
            r"\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9=._-]{32,64}",
            None,
        ),
        rule("flyio-token", r"\bfo1_[A-Za-z0-9_-]{43}\b", None),
        rule("pulumi-token", r"\bpul-[a-f0-9]{40}\b", None),
        rule("atlassian-token", r"\bATATT3[A-Za-z0-9_=-]{150,}", None),
        rule("heroku-key", r"\bHRKU-[A-Za-z0-9_-]{50,}", None),
        rule("gcp-oauth-secret", r"\bGOCSPX-[A-Za-z0-9_-]{28}\b", None),
        rule(
            "square-token",
            r"\bsq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}",
            None,
        ),
        rule("mailchimp-key", r"\b[a-f0-9]{32}-us[0-9]{1,2}\b", None),
        // `curl -u user:PASSWORD`: the password part only.
        rule(
            "password",
            r"(?:^|[\t ])(?:-u|--user)[\t ]+[^\s:'\x22]+:(?P<s>[^\s'\x22]{6,})",
            Some(|v| !is_placeholder(v) && !is_placeholder_word(v)),
        ),
        rule(
            "basic-auth",
            r#"(?i)\bauthorization["']?[\t ]*[:=][\t ]*["']?basic[\t ]+(?P<s>[A-Za-z0-9+/]{8,}={0,2})"#,
            None,
        ),
        // `Bearer <token>`; lower-case `bearer` only after `Authorization:`,
        // so "the bearer of ..." in prose is left alone.
        rule(
            "bearer-token",
            r#"(?:(?i:authorization)["']?[\t ]*[:=][\t ]*["']?(?i:bearer)|\bBearer|\bBEARER)[\t ]+(?P<s>[A-Za-z0-9._~+/-]{20,}=*)"#,
            Some(looks_random),
        ),
    ]
});

/// The patterns of [`RULES`] as one set: whether any of them matches.
static RULE_SET: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    regex::RegexSet::new(RULES.iter().map(|r| r.re.as_str())).expect("guard rule set")
});

/// `KEY=value`, `key: value`, `"key": "value"`, `export KEY='value'`, with a
/// key that mentions a password, secret, token, key, auth or credential.
/// Whether the key really names a secret, and whether the value looks like
/// one, is decided in code (`classify_key`, `secret_value`).
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?x)
        (?P<key>[A-Za-z0-9_.-]*(?i:pass|pw|secret|token|key|auth|cred)[A-Za-z0-9_.-]*)
        ["']?
        [\t\x20]*(?P<sep>:=|=>|=|:)[\t\x20]*
        (?:
            "(?P<dq>[^"\r\n]*)"
          | '(?P<sq>[^'\r\n]*)'
          | (?P<bare>[^\s"'`,;&<>]+)
        )"#,
    )
    .expect("assignment pattern")
});

/// A password said in a sentence: "the wifi password is cedar-lynx-17",
/// "alarm passcode changed to 7Hq!2xz", "Wi-Fi password is now Tr0ub4dor".
static SAID_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:password|passwd|passphrase|passcode)\s+(?:(?:is|was)\s+(?:now\s+|still\s+)?|(?:(?:is|was|has\s+been)\s+)?(?:now\s+)?(?:set|changed|reset)\s+to\s+)(?P<v>[^\s,;]+)",
    )
    .expect("said password pattern")
});

/// [`SAID_PASSWORD`] values that look like one: six or more characters, no
/// word of prose ("the password is in the blue notebook", "password is at
/// least 12 characters" say where or what, not which): a digit, a symbol
/// or a capital inside the word.
fn collect_said_passwords(text: &str, spans: &mut Spans) {
    for caps in SAID_PASSWORD.captures_iter(text) {
        let m = caps.name("v").expect("value group");
        let v = m
            .as_str()
            .trim_end_matches(['.', ')', ']', '}', ':', '!', '?']);
        if v.chars().count() < 6
            || is_placeholder(v)
            || is_placeholder_word(v)
            || looks_like_code(v)
        {
            continue;
        }
        let inner_capital = v.chars().skip(1).any(|c| c.is_ascii_uppercase());
        let digit = v.chars().any(|c| c.is_ascii_digit());
        let symbol = v.chars().any(|c| !c.is_alphanumeric());
        if !(digit || symbol || inner_capital) || looks_like_path(v) || v.contains("://") {
            continue;
        }
        spans.add(m.start(), m.start() + v.len(), "password");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyClass {
    /// password, passwd, pwd, passphrase: any value of 6 or more characters.
    Password,
    /// secret, token, key, auth, credentials: values that look random.
    Secret,
}

fn collect_assignments(text: &str, spans: &mut Spans) {
    let mut pos = 0;
    while pos < text.len() {
        let Some(caps) = ASSIGNMENT.captures_at(text, pos) else {
            break;
        };
        let key = caps.name("key").expect("key group");
        let quoted = caps.name("dq").or_else(|| caps.name("sq"));
        let value = quoted
            .or_else(|| caps.name("bare"))
            .expect("one value group");
        let (vstart, vend) = match quoted {
            Some(m) => (m.start(), m.end()),
            None => {
                // A sentence's full stop or a closing bracket ends the value.
                let v = value.as_str().trim_end_matches(['.', ')', ']', '}', ':']);
                (value.start(), value.start() + v.len())
            }
        };
        let v = &text[vstart..vend];
        let sep_colon = &caps["sep"] == ":";
        let accepted = classify_key(key.as_str()).and_then(|class| {
            let after = &text[vend..];
            secret_value(class, key.as_str(), v, quoted.is_some(), sep_colon, after)
                .then_some(class)
        });
        match accepted {
            Some(KeyClass::Password) => spans.add(vstart, vend, "password"),
            Some(KeyClass::Secret) => spans.add(vstart, vend, "generic-secret"),
            None => {}
        }
        // Go on from the value, not after it: a rejected value may itself
        // hold an assignment (`note: token=...`). The value starts after the
        // key, so this always moves forward.
        pos = if accepted.is_some() {
            value.end()
        } else {
            value.start()
        }
        .max(key.start() + 1);
    }
}

/// Decides from the key name whether its value is a secret. The last word of
/// the key counts (`db_password`, `clientSecret`, `X-Api-Key`), so
/// `token_count`, `max_tokens`, `tokenizer`, `secret_name`, `key_id`,
/// `password_policy` and `monkey` are not secrets.
fn classify_key(key: &str) -> Option<KeyClass> {
    let words = key_words(key);
    let last = words.last()?.as_str();
    if words.iter().any(|w| w == "public" || w == "pub") {
        return None;
    }
    let is_password = matches!(last, "pass" | "pw" | "pwd")
        || ["password", "passwd", "passphrase"]
            .iter()
            .any(|s| last.ends_with(s));
    if is_password {
        // $PWD and $OLDPWD are the shell's working directories.
        if words.len() == 1 && matches!(last, "pwd" | "oldpwd") {
            return None;
        }
        return Some(KeyClass::Password);
    }
    let is_secret = matches!(
        last,
        "key" | "auth" | "credential" | "credentials" | "creds"
    ) || [
        "secret",
        "token",
        "apikey",
        "accesskey",
        "secretkey",
        "privatekey",
        "signingkey",
        "masterkey",
        "sessionkey",
        "encryptionkey",
        "authkey",
    ]
    .iter()
    .any(|s| last.ends_with(s));
    is_secret.then_some(KeyClass::Secret)
}

/// Lower-cased words of an identifier, split at `_ - .` and at camelCase.
fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Decides whether an assigned value is worth redacting.
fn secret_value(
    class: KeyClass,
    key: &str,
    v: &str,
    quoted: bool,
    sep_colon: bool,
    after: &str,
) -> bool {
    if is_placeholder(v) || is_placeholder_word(v) || (!quoted && looks_like_code(v)) {
        return false;
    }
    match class {
        KeyClass::Password => {
            if v.chars().count() < 6 || v.trim() != v {
                return false;
            }
            // "password: minimum twelve characters" is a sentence, not a value.
            let prose = !quoted
                && sep_colon
                && v.bytes().all(|b| b.is_ascii_alphabetic())
                && followed_by_word(after);
            !prose
        }
        KeyClass::Secret => {
            if v.len() < 16 || v.contains(char::is_whitespace) || looks_like_path(v) {
                return false;
            }
            // "Idempotency key: <uuid>" or "cache key: <commit>" in notes.
            if key_words(key) == ["key"] && (is_uuid(v) || is_hex(v, 40)) {
                return false;
            }
            looks_random(v)
        }
    }
}

/// Values that stand for a secret without being one: `$VAR`, `${VAR}`,
/// `%s`, `<your key>`, `{{ vault }}`, `****`, `...`, and our own marker.
fn is_placeholder(v: &str) -> bool {
    v.is_empty()
        || v.starts_with(['$', '%', '<', '#'])
        || v.starts_with("{{")
        || v.starts_with("[REDACTED")
        || v.chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '•' | '-' | '_' | '?'))
}

/// Words that are values of another kind (booleans, types) or stand-ins.
fn is_placeholder_word(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    lower.starts_with("your")
        || matches!(
            lower.as_str(),
            "true"
                | "false"
                | "null"
                | "none"
                | "nil"
                | "undefined"
                | "required"
                | "optional"
                | "string"
                | "str"
                | "bool"
                | "boolean"
                | "integer"
                | "number"
                | "password"
                | "passwd"
                | "pass"
                | "pwd"
                | "secret"
                | "redacted"
        )
}

/// `os.environ["X"]`, `getpass()`, `config.db.password`, `process.env.TOKEN`:
/// an identifier path followed by a call or index, or a dotted path.
fn looks_like_code(v: &str) -> bool {
    let b = v.as_bytes();
    let mut i = 0;
    let mut dotted = false;
    loop {
        let start = i;
        if i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
        }
        if i == start {
            return false;
        }
        if i < b.len() && b[i] == b'.' && i + 1 < b.len() {
            dotted = true;
            i += 1;
            continue;
        }
        break;
    }
    match b.get(i) {
        Some(b'(') | Some(b'[') => true,
        None => dotted,
        _ => false,
    }
}

fn looks_like_path(v: &str) -> bool {
    v.starts_with('/') || v.starts_with("./") || v.starts_with("~/") || v.contains("://")
}

/// A space or tab, then a letter: the value was a word in a sentence.
fn followed_by_word(after: &str) -> bool {
    let rest = after.trim_start_matches([' ', '\t']);
    rest.len() < after.len() && rest.chars().next().is_some_and(char::is_alphabetic)
}

/// Long enough, varied enough (Shannon entropy ≥ 3 bits per character), with
/// both letters and digits, as generated keys are and words are not, and not
/// an identifier made of words (`user_id_and_created_at_2024`).
fn looks_random(v: &str) -> bool {
    v.len() >= 16
        && has(v, u8::is_ascii_digit)
        && has(v, u8::is_ascii_alphabetic)
        && shannon_entropy(v) >= 3.0
        && !is_word_path(v)
}

/// Upper case, lower case and digits all present, and not made of words
/// (`sk-learn-compatible-estimators-v2-Beta`).
fn mixed_alnum(v: &str) -> bool {
    has(v, u8::is_ascii_uppercase)
        && has(v, u8::is_ascii_lowercase)
        && has(v, u8::is_ascii_digit)
        && !is_word_path(v)
}

/// Two or more parts split at `_ - . /`, each letters then digits (a word, a
/// number, `v2`, `version2`) or at most three characters: `db-credentials-v2`,
/// `projects/123/secrets/db/versions/2`. A generated secret has a part where
/// letters and digits are mixed.
fn is_word_path(v: &str) -> bool {
    let mut parts = 0;
    for part in v.split(['_', '-', '.', '/']).filter(|p| !p.is_empty()) {
        parts += 1;
        let b = part.as_bytes();
        let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let wordish = b.len() <= 3 || b[letters..].iter().all(u8::is_ascii_digit);
        if !wordish {
            return false;
        }
    }
    parts >= 2
}

fn has(v: &str, f: fn(&u8) -> bool) -> bool {
    v.as_bytes().iter().any(f)
}

fn is_hex(v: &str, len: usize) -> bool {
    v.len() == len && v.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_uuid(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| is_hex(p, n))
}

/// Shannon entropy of the bytes of `v`, in bits per byte.
fn shannon_entropy(v: &str) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for b in v.bytes() {
        counts[b as usize] += 1;
    }
    let n = v.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    const CORPUS: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/secrets/corpus.tsv"
    ));
    const CLEAN: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/secrets/clean.txt"
    ));

    fn corpus() -> Vec<(&'static str, &'static str)> {
        CORPUS
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                l.split_once('\t')
                    .unwrap_or_else(|| panic!("corpus line without a tab: {l}"))
            })
            .collect()
    }

    /// A byte that would continue a secret if left next to the marker.
    fn continues_secret(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_'
    }

    #[test]
    fn corpus_is_big_and_varied() {
        let lines = corpus();
        let mut kinds: Vec<&str> = lines.iter().map(|(k, _)| *k).collect();
        kinds.sort();
        kinds.dedup();
        assert!(lines.len() >= 24, "{} lines", lines.len());
        assert!(kinds.len() >= 20, "{} kinds: {kinds:?}", kinds.len());
    }

    #[test]
    fn every_corpus_secret_is_redacted_whole() {
        let mut failures = Vec::new();
        for (kind, line) in corpus() {
            let (out, report) = redact(line);
            let marker = format!("[REDACTED:{kind}]");
            if report != vec![Redaction { kind, count: 1 }] || !out.contains(&marker) {
                failures.push(format!(
                    "{kind}: got {report:?}\n  in:  {line}\n  out: {out}"
                ));
                continue;
            }
            // What was cut out: the input minus the common prefix and suffix.
            let pre = out.find(&marker).expect("marker");
            let post = out.len() - pre - marker.len();
            let secret = &line[pre..line.len() - post];
            assert_eq!(&out[..pre], &line[..pre]);
            assert_eq!(&out[pre + marker.len()..], &line[line.len() - post..]);
            // Nothing of the secret is left on either side, and it is gone.
            let before = line.as_bytes()[..pre].last().copied();
            let after = line.as_bytes().get(line.len() - post).copied();
            let left_over =
                before.is_some_and(continues_secret) || after.is_some_and(continues_secret);
            if secret.len() < 6 || out.contains(secret) || left_over {
                failures.push(format!(
                    "{kind}: cut {secret:?}, left {before:?}/{after:?}\n  out: {out}"
                ));
            }
            // Redacting again changes nothing.
            let (again, report2) = redact(&out);
            if again != out || !report2.is_empty() {
                failures.push(format!("{kind}: not idempotent: {again} {report2:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn the_rule_set_pre_check_changes_no_outcome() {
        let texts: Vec<&str> = corpus()
            .into_iter()
            .map(|(_, l)| l)
            .chain(CLEAN.lines())
            .chain([CLEAN])
            .collect();
        for t in texts {
            assert_eq!(redact_with(t, true), redact_with(t, false), "{t}");
        }
    }

    #[test]
    fn clean_lines_come_back_identical() {
        let mut failures = Vec::new();
        for line in CLEAN.lines() {
            let (out, report) = redact(line);
            if out != line || !report.is_empty() {
                failures.push(format!("{report:?}\n  in:  {line}\n  out: {out}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(CLEAN.lines().count() >= 25);
        let (out, report) = redact(CLEAN);
        assert_eq!(out, CLEAN);
        assert!(report.is_empty());
    }

    #[test]
    fn a_password_said_in_a_sentence_is_redacted() {
        for (text, want) in [
            (
                "wifi password is cedar-lynx-17",
                "wifi password is [REDACTED:password]",
            ),
            (
                "The alarm passcode changed to 7Hq2xz.",
                "The alarm passcode changed to [REDACTED:password].",
            ),
            (
                "Guest Wi-Fi password is now Tr0ub4dor, ask Tom",
                "Guest Wi-Fi password is now [REDACTED:password], ask Tom",
            ),
        ] {
            assert_eq!(redact(text).0, want, "{text}");
        }
        // Where it is, or what it must be, is no password.
        for text in [
            "The Wi-Fi password is in the blue notebook.",
            "The password is at least 12 characters long.",
            "The password policy requires rotation every 90 days.",
            "Password managers: 1Password and Bitwarden.",
        ] {
            assert_eq!(redact(text).0, text, "{text}");
        }
    }

    #[test]
    fn url_password_keeps_scheme_user_and_host() {
        let (out, report) = redact(
            "connect with postgres://app_user:Tr0ub4dor&3x@db.internal:5432/app?sslmode=require",
        );
        assert_eq!(
            out,
            "connect with postgres://app_user:[REDACTED:url-password]@db.internal:5432/app?sslmode=require"
        );
        assert_eq!(
            report,
            vec![Redaction {
                kind: "url-password",
                count: 1
            }]
        );
        let (out, _) = redact("redis://:s3cretRedis99@cache:6379/0");
        assert_eq!(out, "redis://:[REDACTED:url-password]@cache:6379/0");
        for url in [
            "https://github.com/org/repo.git",
            "https://user@example.com/path",
            "postgres://app:${PGPASSWORD}@db/app",
            "postgres://user:password@localhost/db",
            "http://[::1]:8080/health",
        ] {
            assert_eq!(redact(url).0, url);
        }
    }

    #[test]
    fn generic_assignments_keep_the_key() {
        let cases = [
            (
                "export API_TOKEN=Zk3pQ9vX2mL7sR4tW8yB1nC6",
                "export API_TOKEN=[REDACTED:generic-secret]",
            ),
            ("password=changeme", "password=[REDACTED:password]"),
            ("password=abc123", "password=[REDACTED:password]"),
            (
                "DB_PASSWORD='hunter22!'",
                "DB_PASSWORD='[REDACTED:password]'",
            ),
            (
                r#"{"clientSecret": "a8f5f167f44f4964e6c998dee827110c"}"#,
                r#"{"clientSecret": "[REDACTED:generic-secret]"}"#,
            ),
            (
                "--password=s3cr3tP4ss done",
                "--password=[REDACTED:password] done",
            ),
            (
                "X-Api-Key: 9f86d081884c7d659a2feaa0c55ad015",
                "X-Api-Key: [REDACTED:generic-secret]",
            ),
            (
                "passphrase: \"correct horse battery staple\"",
                "passphrase: \"[REDACTED:password]\"",
            ),
            (
                "note: token=Q2x5dWdXc3pZN2pQ0a9Rk",
                "note: token=[REDACTED:generic-secret]",
            ),
            (
                "curl -u admin:hunter22 http://localhost",
                "curl -u admin:[REDACTED:password] http://localhost",
            ),
            (
                "SECRET_KEY = 'django-insecure-0x!b#5k@t7vz%9q2w^3e&r'",
                "SECRET_KEY = '[REDACTED:generic-secret]'",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input).0, want, "input: {input}");
        }
    }

    #[test]
    fn words_in_sentences_are_not_secrets() {
        for line in [
            "token=abc",
            "password=abc12",
            "token=Zk3pQ9vX2mL7sR4",
            "the password policy requires 12 chars",
            "rotate the token weekly",
            "password: minimum twelve characters",
            "password = os.environ[\"DB_PASSWORD\"]",
            "token = request.headers.get(\"X-Token\")",
            "export GITHUB_TOKEN=$(gh auth token)",
            "max_tokens: 4096",
            "token_count=1234567890123456789",
            "PWD=/home/dev/projects/mem-2024",
            "secret_name: db-credentials-v2",
            "api_key: YOUR_API_KEY_HERE",
            "Authorization: Bearer <token>",
            "the Bearer of bad news",
            "Primary key: user_id_and_created_at_2024",
            "secret: projects/123456/secrets/db-password/versions/2",
            "Use sk-learn-compatible-estimators-version2-Beta with sklearn.",
            "let token: String = read_token()?;",
            "pub api_key: Option<String>,",
            "fn auth_token(&self) -> &str { &self.token }",
            "public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        ] {
            let (out, report) = redact(line);
            assert_eq!(out, line, "{report:?}");
        }
    }

    #[test]
    fn multiline_private_key_block() {
        let text = "key below\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz\nc2gtZWQyNTUxOQAAACDfakefakefakefakefakefakefakefakefakefakefake\n-----END OPENSSH PRIVATE KEY-----\nafter";
        let (out, report) = redact(text);
        assert_eq!(out, "key below\n[REDACTED:private-key]\nafter");
        assert_eq!(
            report,
            vec![Redaction {
                kind: "private-key",
                count: 1
            }]
        );
        // Cut off before END: the header and body still go, prose after stays.
        let cut = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0fakefakefakefake\nMIIEpAIBAAKCAQEA0fakefakefakefake\n\nthen run it";
        assert_eq!(redact(cut).0, "[REDACTED:private-key]\n\nthen run it");
        let public = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";
        assert_eq!(redact(public).0, public);
    }

    #[test]
    fn report_counts_kinds_in_order_of_first_appearance() {
        let text = "a=1 password=hunter22 then AKIAIOSFODNN7EXAMPLE and db_pwd: 0ther-pass and AKIAI44QH8DHBEXAMPLE";
        let (_, report) = redact(text);
        assert_eq!(
            report,
            vec![
                Redaction {
                    kind: "password",
                    count: 2
                },
                Redaction {
                    kind: "aws-access-key-id",
                    count: 2
                },
            ]
        );
    }

    #[test]
    fn check_input_cases() {
        const MIB: usize = 1 << 20;
        let big = vec![b'a'; 5 * MIB];
        match check_input(&big, MIB) {
            Err(e @ InputError::TooLarge { size, limit }) => {
                assert_eq!((size, limit), (Some(5 * MIB), MIB));
                assert_eq!(
                    e.to_string(),
                    "input is 5242880 bytes, over the limit of 1048576; split it, or raise limits.max_input_bytes in .mem/config.toml"
                );
            }
            other => panic!("{other:?}"),
        }
        // A stream read up to the limit: "more than" it, in the unit it is a whole number of.
        let over = |limit| InputError::TooLarge { size: None, limit }.to_string();
        assert!(over(MIB).starts_with("input is more than 1 MiB, over the limit of 1048576;"));
        assert!(over(64 << 10).starts_with("input is more than 64 KiB,"));
        assert!(over(10).starts_with("input is more than 10 bytes,"));
        // Exactly at the limit passes; one byte over does not.
        assert_eq!(check_input(&big[..MIB], MIB).unwrap().len(), MIB);
        assert!(matches!(
            check_input(&big[..MIB + 1], MIB),
            Err(InputError::TooLarge { .. })
        ));
        // Size is checked before anything else.
        assert!(matches!(
            check_input(&[0u8; 11], 10),
            Err(InputError::TooLarge { .. })
        ));

        assert!(matches!(
            check_input(b"abc\0def", MIB),
            Err(InputError::Binary)
        ));
        let controls = b"text\x01\x02\x03 more text";
        assert!(matches!(
            check_input(controls, MIB),
            Err(InputError::Binary)
        ));
        let few = b"one escape \x1b[1m in a longer line of ordinary text";
        assert!(check_input(few, MIB).is_ok());
        assert!(check_input(b"tabs\tand\r\nfeeds\x0c ok", MIB).is_ok());

        match check_input(b"caf\xc3\xa9 and \xff here", MIB) {
            Err(InputError::NotUtf8 { offset }) => assert_eq!(offset, 10),
            other => panic!("{other:?}"),
        }
        assert!(matches!(check_input(b"", MIB), Err(InputError::Empty)));
        assert!(matches!(
            check_input(b" \n\t \r\n", MIB),
            Err(InputError::Empty)
        ));
        assert_eq!(check_input("\u{feff}hi".as_bytes(), MIB).unwrap(), "hi");
        assert_eq!(check_input("héllo\n".as_bytes(), MIB).unwrap(), "héllo\n");
    }

    /// Ordinary prose of about 1 MiB, with the words secret rules look for.
    fn prose(size: usize) -> String {
        let words = [
            "the",
            "token",
            "password",
            "policy",
            "rotate",
            "weekly",
            "key",
            "secret",
            "auth",
            "commit",
            "3f786850e387550fdab836ed7e6dc881de23001b",
            "550e8400-e29b-41d4-a716-446655440000",
            "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "src/guard.rs",
            "https://example.com/docs?page=2",
            "v1.2.3",
            "SGVsbG8gd29ybGQhIFRoaXMgaXMgYSB0ZXN0",
            "naïve",
            "café",
            "über",
            "—",
            "a:",
            "b=c",
            "credentials",
            "bearer",
            "index",
            "tantivy",
            "note:",
            "x",
            "2024-05-01T12:00:00Z",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut out = String::with_capacity(size + 64);
        while out.len() < size {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            out.push_str(words[(seed % words.len() as u64) as usize]);
            out.push(if seed.is_multiple_of(11) { '\n' } else { ' ' });
        }
        out
    }

    #[test]
    fn one_mebibyte_of_prose_is_fast_and_untouched() {
        let text = prose(1 << 20);
        let t = Instant::now();
        let (out, report) = redact(&text);
        let took = t.elapsed();
        eprintln!("redact: 1 MiB of prose in {took:?}");
        assert!(report.is_empty(), "{report:?}");
        assert!(out == text);
        assert!(took.as_secs() < 10, "took {took:?}");

        // Hostile shapes: many near-misses for the generic and key rules.
        for unit in [
            "password: ",
            "token=a ",
            "-----BEGIN RSA PRIVATE KEY----- ",
            "a:b@",
            "eyJ",
        ] {
            let text = unit.repeat((1 << 20) / unit.len());
            let t = Instant::now();
            let _ = redact(&text);
            let took = t.elapsed();
            eprintln!("redact: 1 MiB of {unit:?} in {took:?}");
            assert!(took.as_secs() < 10, "took {took:?}");
        }
    }
}
