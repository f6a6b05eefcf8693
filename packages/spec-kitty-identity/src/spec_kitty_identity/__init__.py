"""spec-kitty-identity: who is emitting (project, build, node) and which mission.

Public API::

    ProjectIdentity, load_project_identity, init_project, load_build_id, load_node_id
    find_checkout_root, find_main_repo_root, checkout_state_dir, user_state_dir
    read_config, set_config_section, config_path
    MissionIdentity, load_mission_meta, write_mission_meta, create_mission,
    resolve_mission, list_missions, mission_identity_from_dict, validate_mission_slug
    new_ulid, is_ulid, atomic_write_text
    json_nesting_exceeds, yaml_nesting_exceeds
    LANES, LANE_ALIASES, canonical_lane, TRANSITION_KEYS, ANNOTATION_KEYS (status log vocabulary)
    lazy_getattr (a package __init__ importing names on first use)
    StructuredError, as_structured, SpecKittyError, and the identity errors
"""

from __future__ import annotations

from ._atomic import (
    atomic_write_text,
    create_exclusive_text,
    guard_sqlite_path,
    guard_state_path,
)
from ._config import config_lock_path, config_path, read_config, set_config_section
from ._create import create_mission
from ._inputs import (
    MAX_DEPTH,
    MAX_DOC_BYTES,
    MAX_NAME_CHARS,
    MAX_OPTION_BYTES,
    InputRejected,
    check_text,
    decode_utf8,
    load_yaml,
    loads_json,
    read_bounded,
)
from ._lazy import lazy_getattr
from ._mission import (
    CANONICAL_KEYS,
    REQUIRED_KEYS,
    MissionIdentity,
    list_missions,
    load_mission_meta,
    mission_identity_from_dict,
    resolve_mission,
    validate_mission_slug,
    write_mission_meta,
)
from ._nesting import json_nesting_exceeds, yaml_nesting_exceeds
from ._project import (
    ProjectIdentity,
    init_project,
    load_build_id,
    load_node_id,
    load_project_identity,
)
from ._roots import (
    checkout_state_dir,
    find_checkout_root,
    find_main_repo_root,
    git_common_dir,
    git_dir,
    main_root_of,
    user_state_dir,
)
from ._sqlite import connect_readonly
from ._status_vocabulary import (
    ANNOTATION_KEYS,
    LANE_ALIASES,
    LANES,
    TRANSITION_KEYS,
    canonical_lane,
)
from ._ulid import is_ulid, new_ulid
from .errors import (
    ConfigError,
    IdentityError,
    LegacyStateError,
    MissionAmbiguousError,
    MissionMetaError,
    MissionNotFoundError,
    MissionSlugError,
    NotInitializedError,
    ProjectRootNotFoundError,
    SpecKittyError,
    StatePathError,
    StateWriteError,
    StructuredError,
    as_structured,
)

__all__ = [  # noqa: RUF022 - plain sorted(), as the public-API convention test checks
    "ANNOTATION_KEYS",
    "CANONICAL_KEYS",
    "ConfigError",
    "IdentityError",
    "InputRejected",
    "LANES",
    "LANE_ALIASES",
    "LegacyStateError",
    "MAX_DEPTH",
    "MAX_DOC_BYTES",
    "MAX_NAME_CHARS",
    "MAX_OPTION_BYTES",
    "MissionAmbiguousError",
    "MissionIdentity",
    "MissionMetaError",
    "MissionNotFoundError",
    "MissionSlugError",
    "NotInitializedError",
    "ProjectIdentity",
    "ProjectRootNotFoundError",
    "REQUIRED_KEYS",
    "SpecKittyError",
    "StatePathError",
    "StateWriteError",
    "StructuredError",
    "TRANSITION_KEYS",
    "__version__",
    "as_structured",
    "atomic_write_text",
    "canonical_lane",
    "check_text",
    "checkout_state_dir",
    "config_lock_path",
    "config_path",
    "connect_readonly",
    "create_exclusive_text",
    "create_mission",
    "decode_utf8",
    "find_checkout_root",
    "find_main_repo_root",
    "git_common_dir",
    "git_dir",
    "guard_sqlite_path",
    "guard_state_path",
    "init_project",
    "is_ulid",
    "json_nesting_exceeds",
    "lazy_getattr",
    "list_missions",
    "load_build_id",
    "load_mission_meta",
    "load_node_id",
    "load_project_identity",
    "load_yaml",
    "loads_json",
    "main_root_of",
    "mission_identity_from_dict",
    "new_ulid",
    "read_bounded",
    "read_config",
    "resolve_mission",
    "set_config_section",
    "user_state_dir",
    "validate_mission_slug",
    "write_mission_meta",
    "yaml_nesting_exceeds",
]


__getattr__ = lazy_getattr(__name__)
