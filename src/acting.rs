//! Working as the owner of a table, the way PostgreSQL's own foreign-key triggers and
//! maintenance commands do: the current user becomes the owner for a moment (a local change,
//! restricted so nothing run meanwhile can change the session's role or state), with
//! `search_path = pg_catalog, pg_temp`, and both are put back afterwards.
//!
//! Live summaries use it so that any role that may write a source has its answers summarized
//! without any privilege on the summary, and so that whatever a live summary creates belongs
//! to the source's owner, whoever asked for it. Only code of this extension runs in between,
//! on objects it has checked belong to that owner.

use pgrx::pg_sys;

/// While alive, the current user is `owner` with a pinned search_path.
pub struct AsOwner {
    user: pg_sys::Oid,
    context: i32,
    _settings: Settings,
}

/// While alive, settings changed for the work at hand; put back afterwards.
pub struct Settings {
    guc_level: i32,
}

impl Settings {
    pub fn new(settings: &[(&std::ffi::CStr, &std::ffi::CStr)]) -> Settings {
        let guc_level = unsafe { pg_sys::NewGUCNestLevel() };
        for (name, value) in settings {
            set(name, value);
        }
        Settings { guc_level }
    }
}

impl Drop for Settings {
    fn drop(&mut self) {
        // On an error the (sub)transaction's abort puts them back, as it does for SECURITY
        // DEFINER functions; doing it here while unwinding would only race it.
        if !std::thread::panicking() {
            unsafe { pg_sys::AtEOXact_GUC(true, self.guc_level) };
        }
    }
}

fn set(name: &std::ffi::CStr, value: &std::ffi::CStr) {
    unsafe {
        pg_sys::set_config_option(
            name.as_ptr(),
            value.as_ptr(),
            pg_sys::GucContext::PGC_USERSET,
            pg_sys::GucSource::PGC_S_SESSION,
            pg_sys::GucAction::GUC_ACTION_SAVE,
            true,
            0,
            false,
        );
    }
}

impl AsOwner {
    pub fn new(owner: pg_sys::Oid) -> AsOwner {
        AsOwner::with(owner, &[])
    }

    /// The same, with more settings for the work at hand.
    pub fn with(owner: pg_sys::Oid, settings: &[(&std::ffi::CStr, &std::ffi::CStr)]) -> AsOwner {
        unsafe {
            let mut user = pg_sys::InvalidOid;
            let mut context = 0;
            pg_sys::GetUserIdAndSecContext(&mut user, &mut context);
            pg_sys::SetUserIdAndSecContext(
                owner,
                context
                    | (pg_sys::SECURITY_LOCAL_USERID_CHANGE
                        | pg_sys::SECURITY_RESTRICTED_OPERATION
                        | pg_sys::SECURITY_NOFORCE_RLS) as i32,
            );
            // intervals are written into generated SQL as text and read back
            let mut all = vec![
                (c"search_path", c"pg_catalog, pg_temp"),
                (c"IntervalStyle", c"postgres"),
            ];
            all.extend_from_slice(settings);
            AsOwner {
                user,
                context,
                _settings: Settings::new(&all),
            }
        }
    }
}

impl Drop for AsOwner {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return; // as for Settings
        }
        unsafe { pg_sys::SetUserIdAndSecContext(self.user, self.context) };
        // then the settings, as the field is dropped
    }
}

/// Whether the current user has the privileges of `owner` (is it, a member of it, or a
/// superuser): what owning a table means to PostgreSQL.
pub fn may_act_as(owner: pg_sys::Oid) -> bool {
    unsafe { pg_sys::has_privs_of_role(pg_sys::GetUserId(), owner) }
}
