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

from ._lazy import VERSION_ONLY, lazy_getattr

TYPE_CHECKING = False
if TYPE_CHECKING:  # every public name is imported on first use (start-up of `spec-kitty next`)
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

_NAMES = {
    "ANNOTATION_KEYS": "._status_vocabulary",
    "CANONICAL_KEYS": "._mission",
    "ConfigError": ".errors",
    "IdentityError": ".errors",
    "InputRejected": "._inputs",
    "LANES": "._status_vocabulary",
    "LANE_ALIASES": "._status_vocabulary",
    "LegacyStateError": ".errors",
    "MAX_DEPTH": "._inputs",
    "MAX_DOC_BYTES": "._inputs",
    "MAX_NAME_CHARS": "._inputs",
    "MAX_OPTION_BYTES": "._inputs",
    "MissionAmbiguousError": ".errors",
    "MissionIdentity": "._mission",
    "MissionMetaError": ".errors",
    "MissionNotFoundError": ".errors",
    "MissionSlugError": ".errors",
    "NotInitializedError": ".errors",
    "ProjectIdentity": "._project",
    "ProjectRootNotFoundError": ".errors",
    "REQUIRED_KEYS": "._mission",
    "SpecKittyError": ".errors",
    "StatePathError": ".errors",
    "StateWriteError": ".errors",
    "StructuredError": ".errors",
    "TRANSITION_KEYS": "._status_vocabulary",
    "as_structured": ".errors",
    "atomic_write_text": "._atomic",
    "canonical_lane": "._status_vocabulary",
    "check_text": "._inputs",
    "checkout_state_dir": "._roots",
    "config_lock_path": "._config",
    "config_path": "._config",
    "connect_readonly": "._sqlite",
    "create_exclusive_text": "._atomic",
    "create_mission": "._create",
    "decode_utf8": "._inputs",
    "find_checkout_root": "._roots",
    "find_main_repo_root": "._roots",
    "git_common_dir": "._roots",
    "git_dir": "._roots",
    "guard_sqlite_path": "._atomic",
    "guard_state_path": "._atomic",
    "init_project": "._project",
    "is_ulid": "._ulid",
    "json_nesting_exceeds": "._nesting",
    "list_missions": "._mission",
    "load_build_id": "._project",
    "load_mission_meta": "._mission",
    "load_node_id": "._project",
    "load_project_identity": "._project",
    "load_yaml": "._inputs",
    "loads_json": "._inputs",
    "main_root_of": "._roots",
    "mission_identity_from_dict": "._mission",
    "new_ulid": "._ulid",
    "read_bounded": "._inputs",
    "read_config": "._config",
    "resolve_mission": "._mission",
    "set_config_section": "._config",
    "user_state_dir": "._roots",
    "validate_mission_slug": "._mission",
    "write_mission_meta": "._mission",
    "yaml_nesting_exceeds": "._nesting",
    **VERSION_ONLY,
}

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


__getattr__ = lazy_getattr(__name__, _NAMES)
