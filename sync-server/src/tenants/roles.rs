//! Who may do what in a blog: one table, consulted for every permission decision (the
//! API, the sync sockets, the scheduler).

use crate::db::tenants::Role;

/// Everything a member may be asked to do in a blog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    ReadMembers,
    UpdateSettings,
    ManageInvites,
    ChangeRoles,
    RemoveMembers,
    ReadAudit,
    Delete,
    /// Read and sync the blog's drafts.
    ReadDocuments,
    /// Create drafts and change them.
    WriteDocuments,
    /// Upload images for the blog's drafts and posts.
    UploadMedia,
    /// Use the blog's AI credits (managed AI).
    UseAi,
    /// Pay for the blog: Checkout, the Billing Portal, the payment history.
    ManageBilling,
}

/// The role matrix: whether `role` may do `action`. (Some actions have further rules on
/// whom they touch: only owners act on owners; see `service::change_role` and `service::remove_member`.)
pub fn may(role: Role, action: Action) -> bool {
    match action {
        Action::Read | Action::ReadMembers | Action::ReadDocuments => true,
        Action::WriteDocuments | Action::UploadMedia | Action::UseAi => role.at_least(Role::Editor),
        Action::UpdateSettings
        | Action::ManageInvites
        | Action::ChangeRoles
        | Action::RemoveMembers
        | Action::ReadAudit => role.at_least(Role::Admin),
        Action::Delete | Action::ManageBilling => role == Role::Owner,
    }
}
