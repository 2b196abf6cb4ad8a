"""A small software renderer for synthetic ShapeNet-style views: textured convex parts, an orbiting camera.

Scene. An object is a list of ``Part``s, each a convex prism: a convex polygon in the x-y plane
extruded along z (boxes, wedges, cylinders). World axes: x along the object's length, y up, z
across. Each part carries a two-colour ``Texture`` evaluated at the offset of a surface point from the
part's centre (in the object's own units), so a pattern sticks to the surface and moves with it
from view to view.

Camera. A pinhole on a sphere around the origin at (azimuth, elevation) in degrees, looking at
the origin with y up; azimuth 0 looks along -z, azimuth 90 along -x.

Rendering. Faces turned away from the camera are culled; the others are split into triangles
and rasterised with a z-buffer on inverse depth, ``supersample`` times finer, then box-filtered.
Each pixel's 3-D point is recovered from its depth to evaluate the texture; shading is Lambert
with a light fixed to the object plus ambient, so a face keeps its shade whatever the view and
faces of different orientation differ. A view is thus a pure reprojection of another.
"""
import math
from dataclasses import dataclass

import numpy as np

PATTERNS = ("plain", "stripes", "checks", "band", "disc")
LIGHT = np.array([0.45, 1.0, 0.7]) / np.linalg.norm([0.45, 1.0, 0.7])
AMBIENT, DIFFUSE = 0.45, 0.55


@dataclass(frozen=True)
class Texture:
    """Two colours and where the second shows, by the offset of a point from its part's centre.

    pattern: 'plain' (first colour only); 'stripes' (bands of width ``size`` across ``axis``);
        'checks' (cubes of side ``size``); 'band' (``|offset[axis] - offset| < size``); 'disc'
        (distance from the part's ``axis`` line < ``size``, e.g. a wheel's hub). Sizes are in
        the object's units.
    """

    colour: tuple
    second: tuple = (0.0, 0.0, 0.0)
    pattern: str = "plain"
    axis: int = 0
    size: float = 0.5
    offset: float = 0.0

    def __post_init__(self):
        if self.pattern not in PATTERNS:
            raise ValueError(f"Texture.pattern: expected one of {', '.join(PATTERNS)}, got {self.pattern!r}")

    def colours(self, local):
        """RGB in 0..255 of points ``local`` [N, 3] given as offsets from the part's centre."""
        if self.pattern == "plain":
            second = np.zeros(len(local), dtype=bool)
        elif self.pattern == "stripes":
            second = np.floor(local[:, self.axis] / self.size).astype(np.int64) % 2 == 1
        elif self.pattern == "checks":
            second = np.floor(local / self.size).astype(np.int64).sum(axis=1) % 2 == 1
        elif self.pattern == "band":
            second = np.abs(local[:, self.axis] - self.offset) < self.size
        else:  # disc
            across = np.delete(local, self.axis, axis=1)
            second = np.linalg.norm(across, axis=1) < self.size
        return np.where(second[:, None], np.asarray(self.second, float), np.asarray(self.colour, float))


@dataclass(frozen=True)
class Part:
    """A convex prism: ``profile`` [K, 2] (x, y), counter-clockwise, extruded over z in ``z_range``."""

    profile: np.ndarray
    z_range: tuple
    texture: Texture

    def vertices(self):
        """[2K, 3]: the profile at the near z, then at the far z."""
        profile = np.asarray(self.profile, float)
        near, far = (np.column_stack([profile, np.full(len(profile), z)]) for z in self.z_range)
        return np.concatenate([near, far])

    def faces(self):
        """Vertex-index polygons: the two caps and one quad per profile edge."""
        count = len(self.profile)
        sides = [(i, (i + 1) % count, (i + 1) % count + count, i + count) for i in range(count)]
        return [tuple(range(count)), tuple(range(count, 2 * count))] + sides

    def centre(self):
        """The centre [3] of the part's bounding box: the origin of its texture."""
        vertices = self.vertices()
        return (vertices.min(axis=0) + vertices.max(axis=0)) / 2


def box(x_range, y_range, z_range, texture):
    """An axis-aligned box."""
    (x0, x1), (y0, y1) = x_range, y_range
    return Part(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float), tuple(z_range), texture)


def cylinder(centre_xy, radius, z_range, texture, segments=16):
    """A cylinder whose axis is parallel to z (e.g. a wheel)."""
    angles = np.arange(segments) * 2 * math.pi / segments
    profile = np.column_stack([centre_xy[0] + radius * np.cos(angles), centre_xy[1] + radius * np.sin(angles)])
    return Part(profile, tuple(z_range), texture)


class Mesh:
    """The triangles of an object's parts, centred and scaled into the unit sphere, ready to render.

    Attributes:
        triangles: float [T, 3, 3] corners (counter-clockwise seen from outside).
        normals: float [T, 3] outward unit normals.
        part_index: int [T], the part each triangle belongs to.
    """

    def __init__(self, parts):
        if not parts:
            raise ValueError("Mesh: expected at least one part")
        self.parts = list(parts)
        everything = np.concatenate([part.vertices() for part in self.parts])
        centre = (everything.min(axis=0) + everything.max(axis=0)) / 2
        scale = 1.0 / np.linalg.norm(everything - centre, axis=1).max()
        self._to_unit = (centre, scale)
        triangles, normals, part_index = [], [], []
        for index, part in enumerate(self.parts):
            vertices = (part.vertices() - centre) * scale
            part_centre = vertices.mean(axis=0)
            for face in part.faces():
                corners = vertices[list(face)]
                normal = np.cross(corners[1] - corners[0], corners[2] - corners[0])
                normal /= np.linalg.norm(normal)
                if np.dot(normal, corners.mean(axis=0) - part_centre) < 0:  # orient outwards
                    normal, corners = -normal, corners[::-1]
                for k in range(1, len(corners) - 1):  # a fan: the faces are convex
                    triangles.append([corners[0], corners[k], corners[k + 1]])
                    normals.append(normal)
                    part_index.append(index)
        self.triangles = np.array(triangles)
        self.normals = np.array(normals)
        self.part_index = np.array(part_index)

    def textures_at(self, points, part_index):
        """RGB of world points [N, 3] (in the unit-sphere frame) lying on parts ``part_index`` [N]."""
        centre, scale = self._to_unit
        colours = np.empty_like(points)
        for index in np.unique(part_index):
            part, chosen = self.parts[index], part_index == index
            colours[chosen] = part.texture.colours(points[chosen] / scale + centre - part.centre())
        return colours


@dataclass(frozen=True)
class Camera:
    """A pinhole camera ``distance`` from the origin; ``focal`` is in image widths."""

    distance: float = 3.0
    focal: float = 1.3

    def pose(self, azimuth, elevation):
        """(position [3], rotation [3, 3] whose rows are the camera's right, up and forward axes)."""
        a, e = math.radians(azimuth), math.radians(elevation)
        position = self.distance * np.array([math.cos(e) * math.sin(a), math.sin(e), math.cos(e) * math.cos(a)])
        forward = -position / np.linalg.norm(position)
        right = np.cross(forward, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        return position, np.stack([right, np.cross(right, forward), forward])


def render(mesh, azimuth, elevation, size=256, camera=Camera(), background=(255.0, 255.0, 255.0), supersample=2):
    """Render one view of ``mesh``.

    Args:
        mesh: Mesh.
        azimuth, elevation: camera direction in degrees.
        size: output height = width in pixels.
        camera: Camera (distance and focal length).
        background: RGB of empty pixels.
        supersample: rasterise this many times finer per axis, then average (anti-aliasing).
    Returns:
        np.ndarray uint8 [size, size, 3].
    """
    fine = size * supersample
    position, rotation = camera.pose(azimuth, elevation)
    focal = camera.focal * fine
    corners = (mesh.triangles - position) @ rotation.T  # camera frame: x right, y up, z depth
    if (corners[..., 2] <= 1e-6).any():
        raise ValueError(f"render: the camera at distance {camera.distance} is too close, part of the object "
                         f"is behind it; expected a distance > 1 (the object fits the unit sphere)")
    screen = np.stack([fine / 2 + focal * corners[..., 0] / corners[..., 2],
                       fine / 2 - focal * corners[..., 1] / corners[..., 2]], axis=-1)
    facing = np.einsum("tk,tk->t", mesh.normals, position - mesh.triangles.mean(axis=1)) > 0

    inverse_depth = np.zeros((fine, fine))
    owner = np.full((fine, fine), -1)
    for t in np.flatnonzero(facing):
        _rasterise(screen[t], (1.0 / corners[t, :, 2]).tolist(), t, inverse_depth, owner)

    image = np.broadcast_to(np.asarray(background, float), (fine, fine, 3)).copy()
    rows, cols = np.nonzero(owner >= 0)
    if len(rows):
        triangle = owner[rows, cols]
        depth = 1.0 / inverse_depth[rows, cols]
        in_camera = np.column_stack([(cols + 0.5 - fine / 2) / focal * depth,
                                     (fine / 2 - rows - 0.5) / focal * depth, depth])
        points = position + in_camera @ rotation
        shade = AMBIENT + DIFFUSE * np.clip(mesh.normals[triangle] @ LIGHT, 0.0, None)
        image[rows, cols] = mesh.textures_at(points, mesh.part_index[triangle]) * shade[:, None]
    image = sum(image[i::supersample, j::supersample] for i in range(supersample) for j in range(supersample))
    return np.clip(np.rint(image / supersample ** 2), 0, 255).astype(np.uint8)


def _rasterise(corners, inverse_depths, index, inverse_depth, owner):
    """Z-buffer one screen triangle ``corners`` [3, 2] into ``inverse_depth`` / ``owner`` [H, W] in place."""
    height, width = owner.shape
    (x0, y0), (x1, y1), (x2, y2) = corners.tolist()
    left, right = max(math.floor(min(x0, x1, x2) - 0.5), 0), min(math.ceil(max(x0, x1, x2) - 0.5), width - 1)
    top, bottom = max(math.floor(min(y0, y1, y2) - 0.5), 0), min(math.ceil(max(y0, y1, y2) - 0.5), height - 1)
    area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    if right < left or bottom < top or abs(area) < 1e-12:
        return
    xs = np.arange(left, right + 1) + 0.5
    ys = (np.arange(top, bottom + 1) + 0.5)[:, None]
    # barycentric weights of the pixel centres; all >= 0 inside (either winding)
    w0 = ((x1 - xs) * (y2 - ys) - (x2 - xs) * (y1 - ys)) / area
    w1 = ((x2 - xs) * (y0 - ys) - (x0 - xs) * (y2 - ys)) / area
    w2 = 1.0 - w0 - w1
    candidate = w0 * inverse_depths[0] + w1 * inverse_depths[1] + w2 * inverse_depths[2]  # linear on screen
    region = (slice(top, bottom + 1), slice(left, right + 1))
    nearer = (w0 >= 0) & (w1 >= 0) & (w2 >= 0) & (candidate > inverse_depth[region])
    inverse_depth[region][nearer] = candidate[nearer]
    owner[region][nearer] = index
